import { runReplay } from "./command.ts";

export { REPLAY_USAGE, type ReplayIO, type ReplaySummary, runReplay } from "./command.ts";
export { topicCommandsLayer } from "./via-topic.ts";
export { type ReplayEvent, replayPlan, replayUserId } from "./plan.ts";
export { readMovieLensRatings } from "./ratings.ts";

export { readMovieLensMovies } from "../catalog-import/movielens.ts";

/** `cinematch replay …` as the CLI's dispatcher runs it: process env and streams. */
export const replayMain = (argv: ReadonlyArray<string>): Promise<number> =>
  runReplay(argv, { env: process.env, stdout: process.stdout, stderr: process.stderr });
