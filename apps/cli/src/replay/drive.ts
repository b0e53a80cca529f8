import { paceDelayMs, type ReplayEvent } from "./plan.ts";

// How the replay paces its writes: lanes that keep each user's order, run side by side.

export type Outcome = "added" | "already_present" | "failed";

/** Splits the events into `lanes` ordered lanes, a user always in the same one (their order is kept). */
const lanesOf = (events: ReadonlyArray<ReplayEvent>, lanes: number) => {
  const out: Array<Array<{ readonly index: number; readonly event: ReplayEvent }>> = Array.from(
    { length: lanes },
    () => [],
  );
  const laneOfUser = new Map<string, number>();
  events.forEach((event, index) => {
    let lane = laneOfUser.get(event.user_id);
    if (lane === undefined) {
      lane = laneOfUser.size % lanes;
      laneOfUser.set(event.user_id, lane);
    }
    out[lane]!.push({ index, event });
  });
  return out;
};

/** Runs every event through `write`, `concurrency` lanes at once, paced at `rate` per second. */
export const drive = async (
  events: ReadonlyArray<ReplayEvent>,
  concurrency: number,
  rate: number,
  write: (event: ReplayEvent) => Promise<Outcome>,
  onDone: (outcome: Outcome) => void,
) => {
  const startedAt = performance.now();
  await Promise.all(
    lanesOf(events, concurrency).map(async (lane) => {
      for (const { index, event } of lane) {
        const wait = paceDelayMs(rate, startedAt, index, performance.now());
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        onDone(await write(event));
      }
    }),
  );
};

/** Counts a failure, saying only the first one (the others would repeat it). */
export const firstFailureWarner = (warn: (text: string) => void) => {
  let first = true;
  return (text: string): Outcome => {
    if (first) warn(text);
    first = false;
    return "failed";
  };
};
