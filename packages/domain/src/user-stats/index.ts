export * from "./compute-user-stats.ts";
export { roundHalfAwayFromZero, roundRatio } from "./round.ts";
