import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type BootstrapEntry, bootstrapPartitionStates } from "./bootstrap.ts";
import { filmCounts, trendsOutput } from "./output.ts";
import { filmPieces, fromPieces, type TrendCheckpoint, type TrendFilmPiece, takeChanges } from "./pieces.ts";
import { applyEvents, type PositionedEvent } from "./reduce.ts";
import type { TrendWindow } from "./schema.ts";
import { DEFAULT_TREND_CONFIG, emptyPartitionState, type PartitionTrendState } from "./state.ts";
import {
  cut,
  DAY,
  HORIZON,
  MINUTE,
  modelCounts,
  modelOutput,
  type Scenario,
  scenarioArbitrary,
  snapshot,
  storedEntries,
} from "./world.test-support.ts";

const WINDOWS: ReadonlyArray<TrendWindow> = ["7d", "30d", "all"];
// More runs for a deeper search: TREND_LAW_RUNS=5000 npx vitest run src/trends
const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
const RUNS = { numRuns: Number(env?.TREND_LAW_RUNS ?? 150) };

/** Every partition streamed from its first offset, in one batch each, at `now`. */
const streamAll = (scenario: Scenario, now: number): Array<PartitionTrendState> =>
  scenario.logs.map((log, partition) => applyEvents(emptyPartitionState(partition), log, now));

const outputs = (states: ReadonlyArray<PartitionTrendState>, now: number) =>
  WINDOWS.map((window) => trendsOutput(states, window, now));

const counts = (states: ReadonlyArray<PartitionTrendState>, now: number) =>
  WINDOWS.map((window) => Object.fromEntries([...filmCounts(states, window, now)].sort()));

/** How long after the last event the output is looked at. */
const lateness = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 50 * DAY }));

/** A scenario, start seeds, a per-entry choice, batch cuts and lateness: what the bootstrap laws draw. */
const bootstrapCase = () =>
  [
    scenarioArbitrary(),
    fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
    fc.func(fc.boolean()),
    fc.array(fc.nat()),
    lateness,
  ] as const;

const startsOf = (scenario: Scenario, seeds: ReadonlyArray<number>) =>
  scenario.logs.map((log, p) => seeds[p]! % (log.length + 1));

/**
 * Bootstraps each partition at its start from `entries`, streams the rest of its log in the given
 * batches, and checks the outputs and counts equal streaming everything from the start.
 */
const bootstrapThenStream = (
  scenario: Scenario,
  starts: ReadonlyArray<number>,
  entries: ReadonlyArray<BootstrapEntry>,
  cuts: ReadonlyArray<number>,
  now: number,
) => {
  const booted = bootstrapPartitionStates(
    entries,
    starts.map((start, partition) => ({ partition, offset: String(start) })),
    now,
  );
  const applied = booted.map((state) => state.applied_offset);
  for (const state of booted) {
    for (const batch of cut(scenario.logs[state.partition]!.slice(starts[state.partition]), cuts)) {
      applyEvents(state, batch, now);
    }
  }
  const streamed = streamAll(scenario, now);
  expect(outputs(booted, now)).toEqual(outputs(streamed, now));
  expect(counts(booted, now)).toEqual(counts(streamed, now));
  return { applied };
};

describe("the trend reducers, on any valid history", () => {
  it("given every event streamed, when the output is computed, then it equals the trends recomputed from the entries still in a watchlist", () => {
    fc.assert(
      fc.property(scenarioArbitrary(), lateness, (scenario, late) => {
        const now = scenario.end + late;
        const states = streamAll(scenario, now);
        for (const window of WINDOWS) {
          expect(trendsOutput(states, window, now)).toEqual(modelOutput(scenario, window, now));
        }
      }),
      RUNS,
    );
  });

  it("given a state, when the same batch is applied again at the same positions, then nothing changes", () => {
    fc.assert(
      fc.property(scenarioArbitrary({ maxPartitions: 1 }), fc.array(fc.nat()), (scenario, cuts) => {
        const log = scenario.logs[0]!;
        const state = applyEvents(emptyPartitionState(0), log, scenario.end);
        const before = snapshot(state);
        for (const batch of cut(log, cuts)) applyEvents(state, batch, scenario.end);
        expect(snapshot(state)).toEqual(before);
      }),
      RUNS,
    );
  });

  it("given a stream, when some events are published again at later offsets, then the counts and the output do not change", () => {
    fc.assert(
      fc.property(
        scenarioArbitrary({ maxPartitions: 1 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (scenario, picks) => {
          const log = scenario.logs[0]!;
          // Each picked event is republished right after itself (a relay retrying at once).
          const copies = new Set(log.length === 0 ? [] : picks.map((p) => p % log.length));
          const republished: Array<PositionedEvent> = [];
          for (const [index, { event }] of log.entries()) {
            republished.push({ offset: String(republished.length), event });
            if (copies.has(index)) republished.push({ offset: String(republished.length), event });
          }
          const once = applyEvents(emptyPartitionState(0), log, scenario.end);
          const twice = applyEvents(emptyPartitionState(0), republished, scenario.end);
          expect(outputs([twice], scenario.end)).toEqual(outputs([once], scenario.end));
          const countsOnly = (pieces: ReadonlyArray<TrendFilmPiece>) =>
            pieces.map(({ movie_id, days, all_time }) => ({ movie_id, days, all_time }));
          expect(countsOnly(filmPieces(twice))).toEqual(countsOnly(filmPieces(once)));
        },
      ),
      RUNS,
    );
  });

  it("given a stream, when it is cut into batches at any points with a clock that never goes back, then the state equals one batch at the last time", () => {
    fc.assert(
      fc.property(
        scenarioArbitrary({ maxPartitions: 1 }),
        fc.array(fc.nat()),
        lateness,
        (scenario, cuts, late) => {
          const log = scenario.logs[0]!;
          const now = scenario.end + late;
          let state = emptyPartitionState(0);
          let clock = -Infinity;
          for (const batch of cut(log, cuts)) {
            // A runner's clock: at least the batch's newest event, never going back.
            for (const { event } of batch) clock = Math.max(clock, event.occurred_at);
            state = applyEvents(state, batch, Math.min(clock, now));
          }
          state = applyEvents(state, [], now);
          expect(snapshot(state)).toEqual(snapshot(applyEvents(emptyPartitionState(0), log, now)));
        },
      ),
      RUNS,
    );
  });

  it("given entries of several ages, when the clock advances day by day, then each window counts exactly the entries added on its days", () => {
    fc.assert(
      fc.property(
        scenarioArbitrary(),
        fc.array(fc.integer({ min: 0, max: 5 * DAY }), { maxLength: 12 }),
        (scenario, steps) => {
          const states = streamAll(scenario, scenario.end);
          let now = scenario.end;
          for (const step of steps) {
            now += step;
            for (const state of states) applyEvents(state, [], now);
            for (const window of WINDOWS) {
              expect(Object.fromEntries(filmCounts(states, window, now))).toEqual(
                Object.fromEntries(modelCounts(scenario.live, window, now)),
              );
            }
          }
        },
      ),
      RUNS,
    );
  });

  it("given a long history, when it has been applied, then the retained day buckets are at most films × retention days and only films with a count or a recent id are kept", () => {
    fc.assert(
      fc.property(scenarioArbitrary({ maxActions: 400 }), lateness, (scenario, late) => {
        const now = scenario.end + late;
        const floor = Math.floor(now / DAY) - DEFAULT_TREND_CONFIG.retention_days + 1;
        for (const state of streamAll(scenario, now)) {
          const pieces = filmPieces(state);
          const days = pieces.reduce((n, piece) => n + piece.days.length, 0);
          expect(days).toBeLessThanOrEqual(pieces.length * DEFAULT_TREND_CONFIG.retention_days);
          for (const piece of pieces) {
            for (const { day } of piece.days) expect(day).toBeGreaterThanOrEqual(floor);
            expect(piece.all_time > 0 || piece.days.length > 0 || piece.recent_events.length > 0).toBe(true);
          }
          expect(pieces.length).toBeLessThanOrEqual(scenario.films.length);
          // Event ids are kept for the dedup horizon only (to the minute), not for the history.
          const recentIds = pieces.reduce((n, piece) => n + piece.recent_events.length, 0);
          const log = scenario.logs[state.partition]!;
          const watermark = Math.max(...log.map(({ event }) => event.occurred_at));
          const withinHorizon = log.filter(
            ({ event }) => event.event_type !== "UPDATE" && event.occurred_at >= watermark - HORIZON - MINUTE,
          ).length;
          expect(recentIds).toBeLessThanOrEqual(withinHorizon);
        }
      }),
      { numRuns: Math.ceil(RUNS.numRuns / 3) },
    );
  });

  it("given per-partition states, when their output is merged, then every film's count equals one state fed every event", () => {
    fc.assert(
      fc.property(scenarioArbitrary(), lateness, (scenario, late) => {
        const now = scenario.end + late;
        // One log holding every partition's events, each partition's in its order, interleaved.
        const heads = scenario.logs.map(() => 0);
        const all: Array<PositionedEvent> = [];
        for (;;) {
          let next = -1;
          scenario.logs.forEach((log, p) => {
            const candidate = log[heads[p]!];
            const best = next < 0 ? undefined : scenario.logs[next]![heads[next]!];
            if (candidate && (!best || candidate.event.occurred_at < best.event.occurred_at)) next = p;
          });
          if (next < 0) break;
          all.push({ offset: String(all.length), event: scenario.logs[next]![heads[next]!]!.event });
          heads[next]! += 1;
        }
        const single = applyEvents(emptyPartitionState(0), all, now);
        expect(counts(streamAll(scenario, now), now)).toEqual(counts([single], now));
      }),
      RUNS,
    );
  });

  it("given a state, when it is split into pieces and rebuilt, then the rebuilt state is equal and goes on equally", () => {
    fc.assert(
      fc.property(scenarioArbitrary({ maxPartitions: 1 }), fc.nat(), lateness, (scenario, at, late) => {
        const log = scenario.logs[0]!;
        const split = log.length === 0 ? 0 : at % (log.length + 1);
        const now = scenario.end + late;
        const middle = log[split - 1]?.event.occurred_at ?? scenario.end;
        const original = applyEvents(emptyPartitionState(0), log.slice(0, split), middle);
        const rebuilt = fromPieces(snapshot(original).checkpoint, filmPieces(original));
        expect(snapshot(rebuilt)).toEqual(snapshot(original));
        applyEvents(original, log.slice(split), now);
        applyEvents(rebuilt, log.slice(split), now);
        expect(snapshot(rebuilt)).toEqual(snapshot(original));
      }),
      RUNS,
    );
  });

  it("given stored entries and start positions, when bootstrapped and the rest is streamed, then the result equals streaming everything from the start", () => {
    fc.assert(
      fc.property(...bootstrapCase(), (scenario, startSeeds, hide, cuts, late) => {
        const starts = startsOf(scenario, startSeeds);
        const booted = bootstrapThenStream(
          scenario,
          starts,
          storedEntries(scenario, starts, (index) => hide(index)),
          cuts,
          scenario.end + late,
        );
        expect(booted.applied).toEqual(starts.map((start) => String(start - 1)));
      }),
      RUNS,
    );
  });
});

describe("a bootstrap while an event published twice has only its first copy recorded", () => {
  it("given entries that still record the first copy of an event whose second copy lands after the start, when bootstrapped and the rest is streamed, then the result equals streaming everything from the start", () => {
    fc.assert(
      fc.property(...bootstrapCase(), (scenario, startSeeds, firstCopy, cuts, late) => {
        const starts = startsOf(scenario, startSeeds);
        bootstrapThenStream(
          scenario,
          starts,
          storedEntries(
            scenario,
            starts,
            () => false,
            (index) => firstCopy(index),
          ),
          cuts,
          scenario.end + late,
        );
      }),
      RUNS,
    );
  });
});

/** A document store as the runner would keep it: per-film pieces and one checkpoint, no transactions. */
interface Store {
  checkpoint: TrendCheckpoint;
  pieces: Map<string, TrendFilmPiece>;
}

describe("a runner that saves pieces and may crash at any point", () => {
  it("given crashes in the middle of saving (some pieces written, the checkpoint not), when restarted from the store, then the result equals a run without crash", () => {
    fc.assert(
      fc.property(
        scenarioArbitrary({ maxPartitions: 1, maxActions: 80 }),
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.record({ at: fc.nat(30), keep: fc.func(fc.boolean()), checkpointToo: fc.boolean() }), {
          maxLength: 3,
        }),
        lateness,
        (scenario, batchSize, crashes, late) => {
          const log = scenario.logs[0]!;
          const now = scenario.end + late;
          const save = (state: PartitionTrendState, store: Store, keep?: (movie_id: string) => boolean) => {
            const changes = takeChanges(state);
            for (const piece of changes.upserts)
              if (!keep || keep(piece.movie_id)) store.pieces.set(piece.movie_id, piece);
            for (const movie_id of changes.removals)
              if (!keep || keep(movie_id)) store.pieces.delete(movie_id);
            if (!keep) store.checkpoint = changes.checkpoint;
          };

          const calm = applyEvents(emptyPartitionState(0), log, now);

          // With crashes: at a crashing batch only some pieces reach the store and not the
          // checkpoint, or all of them and the checkpoint but not the consumer's offset commit.
          // The process restarts from the store; the log is read again from the checkpoint, or,
          // when the consumer's committed offset lagged, from further back (here: the start).
          const store: Store = {
            checkpoint: takeChanges(emptyPartitionState(0)).checkpoint,
            pieces: new Map(),
          };
          const crashAt = new Map(crashes.map((crash) => [crash.at, crash]));
          let state = emptyPartitionState(0);
          let position = 0;
          for (let iteration = 0; position < log.length; iteration++) {
            const batch = log.slice(position, position + batchSize);
            applyEvents(state, batch, now);
            const crash = crashAt.get(iteration);
            if (crash === undefined) {
              save(state, store);
              position += batch.length;
              continue;
            }
            if (crash.checkpointToo) save(state, store);
            else save(state, store, (movie_id) => crash.keep(movie_id));
            state = fromPieces(store.checkpoint, [...store.pieces.values()]);
            position = crash.checkpointToo ? 0 : Number(store.checkpoint.applied_offset) + 1;
          }
          applyEvents(state, [], now);
          expect(snapshot(state)).toEqual(snapshot(calm));
          // And the store alone rebuilds the same state.
          save(state, store);
          expect(snapshot(fromPieces(store.checkpoint, [...store.pieces.values()]))).toEqual(snapshot(calm));
        },
      ),
      RUNS,
    );
  });
});
