// The community-trend reducers: per-partition state, exactly-once application, storage pieces,
// bootstrap from stored entries, and the merged output. See state.ts and pieces.ts for the design.
export type { Bootstrap, BootstrapEntry, SeenEvent, TrendLogPosition } from "./bootstrap.ts";
export { bootstrapPartitionStates, startBootstrap } from "./bootstrap.ts";
export { compareOffsets, NO_OFFSET, previousOffset } from "./offsets.ts";
export type { TrendsOutput } from "./output.ts";
export { filmCounts, globalStatsDocument, TREND_LIST_SIZE, trendsOutput } from "./output.ts";
export type { TrendChanges } from "./pieces.ts";
export {
  filmPieces,
  fromPieces,
  OffsetText,
  TrendCheckpoint,
  TrendDayCount,
  TrendFilmPiece,
  TrendRecentEvent,
  takeChanges,
  trendCheckpoint,
} from "./pieces.ts";
export type { PositionedEvent } from "./reduce.ts";
export { applyEvents } from "./reduce.ts";
export type { PartitionTrendState, TrendConfig } from "./state.ts";
export { DEFAULT_TREND_CONFIG, emptyPartitionState, TREND_WINDOW_DAYS, utcDayOf } from "./state.ts";
