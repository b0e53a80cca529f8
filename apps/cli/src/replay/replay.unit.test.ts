import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  EventLogMemoryControl,
  IdGeneratorSequential,
  EventLogMemory,
  OutboxPublisherLive,
  WatchlistCommandsLive,
  WatchlistStore,
  WatchlistStoreMemory,
} from "@cinematch/adapters";
import { jsonDecoderFor, WatchlistEvent } from "@cinematch/domain";
import { Effect, Either, Layer, Scope } from "effect";
import { describe, expect, it } from "vitest";
import { dispatch } from "../main.ts";
import { runReplay } from "./command.ts";
import { replayPlan } from "./plan.ts";
import { readMovieLensRatings } from "./ratings.ts";

const NOW = Date.UTC(2026, 10, 29, 12);
const MOVIES = `movieId,title,genres
1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy
2,"Misérables, Les (1995)",Drama|War
3,Some Film Without Genres (2001),(no genres listed)
`;
const RATINGS = `userId,movieId,rating,timestamp
1,1,4.0,1000
1,2,2.5,3000
2,1,5.0,2000
2,3,0.5,5000
`;

const fixture = (movies = MOVIES, ratings = RATINGS) => {
  const dir = mkdtempSync(join(tmpdir(), "replay-unit-"));
  writeFileSync(join(dir, "movies.csv"), movies);
  writeFileSync(join(dir, "ratings.csv"), ratings);
  return dir;
};

const sink = () => {
  let text = "";
  return { write: (chunk: string) => (text += chunk), text: () => text };
};

/** The in-memory write path, plus a way to look inside afterwards (its scope stays open: memory only). */
const memoryWorld = (publish: "await" | "relay" = "await") =>
  Effect.runSync(
    Effect.gen(function* () {
      const base = Layer.mergeAll(WatchlistStoreMemory, EventLogMemory(), IdGeneratorSequential("ev"));
      const layer = WatchlistCommandsLive({ publish }).pipe(
        Layer.provideMerge(OutboxPublisherLive({ topic: "replay-unit", partitions: 2, relayMinAgeMs: 0 })),
        Layer.provideMerge(base),
      );
      return yield* Layer.buildWithScope(layer, yield* Scope.make());
    }),
  );

describe("the replay plan", () => {
  const ratings = readMovieLensRatings(RATINGS, "ratings.csv").ratings;
  const films = new Map([
    [1, { movie_id: "ml-1", title: "Toy Story", year: 1995, genres: ["Animation"] }],
    [2, { movie_id: "ml-2", title: "Misérables, Les", year: 1995 }],
    [3, { movie_id: "ml-3", title: "Some Film Without Genres", year: 2001 }],
  ]);

  it("given ratings over time, when planned, then they come in time order, the newest at now, spacing kept, stars × 2", () => {
    const { events } = replayPlan(ratings, films, NOW);
    expect(events.map((e) => [e.user_id, e.movie.movie_id, e.rating, e.at])).toEqual([
      ["ml-user-1", "ml-1", 8, NOW - 4_000_000],
      ["ml-user-2", "ml-1", 10, NOW - 3_000_000],
      ["ml-user-1", "ml-2", 5, NOW - 2_000_000],
      ["ml-user-2", "ml-3", 1, NOW],
    ]);
  });

  it("given a limit, when planned, then the most recent ratings are kept and the newest still falls at now", () => {
    const { events } = replayPlan(ratings, films, NOW, { limit: 2 });
    expect(events.map((e) => [e.movie.movie_id, e.at])).toEqual([
      ["ml-2", NOW - 2_000_000],
      ["ml-3", NOW],
    ]);
  });

  it("given a rating of a film missing from movies.csv, when planned, then its line is reported", () => {
    const { problems } = replayPlan(
      readMovieLensRatings(`${RATINGS}3,99,3.0,10\n`, "r.csv").ratings,
      films,
      NOW,
      {
        file: "r.csv",
      },
    );
    expect(problems).toEqual([{ file: "r.csv", line: 6, message: '"movieId": 99 is not in movies.csv' }]);
  });
});

describe("ratings.csv", () => {
  it("given bad lines, when read, then each is reported with its number and every problem on it", () => {
    const { ratings, problems } = readMovieLensRatings(
      "userId,movieId,rating,timestamp\n1,1,4.0,1000\nx,1,6,1\n2,2,3.5\n",
      "ratings.csv",
    );
    expect(ratings.length).toBe(1);
    expect(problems.map((p) => p.line)).toEqual([3, 4]);
    expect(problems[0]?.message).toMatch(/"userId".*"rating"/);
  });
});

describe("cinematch replay", () => {
  describe("given a MovieLens folder and the in-memory write path", () => {
    it("when replayed via the topic, then every rating is stored and published as an ADD with the film snapshot", async () => {
      const context = memoryWorld();
      const out = sink();
      const err = sink();
      const code = await runReplay(["--movielens", fixture(), "--concurrency", "3"], {
        env: {},
        stdout: out,
        stderr: err,
        now: () => NOW,
        commandsLayer: Layer.succeedContext(context),
      });
      expect(code).toBe(0);
      expect(out.text()).toMatch(
        /replayed 4 ratings of 2 users on 3 films via topic .*4 added, 0 already present, 0 failed/,
      );
      const records = await Effect.runPromise(
        Effect.flatMap(EventLogMemoryControl, (control) => control.records("replay-unit")).pipe(
          Effect.provide(context),
        ),
      );
      const decode = jsonDecoderFor(WatchlistEvent, "event");
      const events = records.map((r) => Either.getOrThrow(decode(r.value)));
      expect(events.every((e) => e.event_type === "ADD")).toBe(true);
      const les = events.find((e) => e.movie.movie_id === "ml-2");
      expect(les?.movie).toMatchObject({ title: "Les Misérables", year: 1995, genres: ["Drama", "War"] });
      expect(les?.added_at).toBe(NOW - 2_000_000);
      expect(events.find((e) => e.movie.movie_id === "ml-3")?.movie.genres).toBeUndefined();
      const stored = await Effect.runPromise(
        Effect.flatMap(WatchlistStore, (store) => store.entriesOfUsers(["ml-user-1", "ml-user-2"])).pipe(
          Effect.provide(context),
        ),
      );
      expect(
        stored
          .get("ml-user-1")
          ?.map((e) => e.rating)
          .sort(),
      ).toEqual([5, 8]);
    });

    it("when replayed with --publish batch, then the entries are written first and every event is still published", async () => {
      const context = memoryWorld("relay");
      const code = await runReplay(["--movielens", fixture(), "--publish", "batch"], {
        env: {},
        stdout: sink(),
        stderr: sink(),
        now: () => NOW,
        commandsLayer: Layer.succeedContext(context),
      });
      expect(code).toBe(0);
      const records = await Effect.runPromise(
        Effect.flatMap(EventLogMemoryControl, (control) => control.records("replay-unit")).pipe(
          Effect.provide(context),
        ),
      );
      expect(records.length).toBe(4);
    });

    it("when replayed again, then nothing is added twice", async () => {
      const context = memoryWorld();
      const io = {
        env: {},
        stdout: sink(),
        stderr: sink(),
        now: () => NOW,
        commandsLayer: Layer.succeedContext(context),
      };
      await runReplay(["--movielens", fixture()], io);
      const out = sink();
      expect(await runReplay(["--movielens", fixture()], { ...io, stdout: out })).toBe(0);
      expect(out.text()).toMatch(/0 added, 4 already present/);
    });
  });

  describe("given bad lines", () => {
    it("when replayed, then every bad line is listed, nothing is replayed and the exit is 1; --skip-bad replays the good ones", async () => {
      const dir = fixture(MOVIES, `${RATINGS}1,7,4.0,10\n2,1,nine,11\n`);
      const context = memoryWorld();
      const err = sink();
      const io = {
        env: {},
        stdout: sink(),
        stderr: err,
        now: () => NOW,
        commandsLayer: Layer.succeedContext(context),
      };
      expect(await runReplay(["--movielens", dir], io)).toBe(1);
      expect(err.text()).toMatch(/ratings\.csv:7: "rating"/);
      expect(err.text()).toMatch(/ratings\.csv:6: "movieId": 7 is not in movies\.csv/);
      const out = sink();
      expect(await runReplay(["--movielens", dir, "--skip-bad"], { ...io, stdout: out })).toBe(0);
      expect(out.text()).toMatch(/4 added/);
    });
  });

  describe("given wrong arguments", () => {
    it("when run, then it says what is wrong and exits 2", async () => {
      const err = sink();
      const io = { env: {}, stdout: sink(), stderr: err };
      expect(await runReplay([], io)).toBe(2);
      expect(await runReplay(["--movielens", "x", "--via", "carrier-pigeon"], io)).toBe(2);
      expect(await runReplay(["--movielens", "x", "--rate", "-3"], io)).toBe(2);
      expect(await runReplay(["--movielens", "x"], io)).toBe(2); // no servers named
      expect(err.text()).toMatch(/MONGODB_URL/);
    });
  });
});

describe("the cinematch dispatcher", () => {
  it("given an unknown command, when run, then exit 2; given none, then the usage and exit 0", async () => {
    expect(await dispatch(["frobnicate"])).toBe(2);
    expect(await dispatch([])).toBe(0);
  });
});
