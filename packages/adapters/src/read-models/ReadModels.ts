import type { GlobalStatsDocument, TrendWindow, UserStatsDocument } from "@cinematch/domain";
import { Context, type Effect, type Option } from "effect";
import type { StoreUnavailable } from "../store-errors.ts";

/** `user_stats`: one document per user, written by the user-stats runner, read by the API. */
export interface UserStatsStoreService {
  readonly get: (user_id: string) => Effect.Effect<Option.Option<UserStatsDocument>, StoreUnavailable>;
  /** Replaces every given user's document in one bulk write. */
  readonly putMany: (documents: ReadonlyArray<UserStatsDocument>) => Effect.Effect<void, StoreUnavailable>;
}
export class UserStatsStore extends Context.Tag("@cinematch/adapters/UserStatsStore")<
  UserStatsStore,
  UserStatsStoreService
>() {}

/** `global_stats`: one small document per trend window, written by the trends runner, read by the API. */
export interface GlobalStatsStoreService {
  readonly get: (window: TrendWindow) => Effect.Effect<Option.Option<GlobalStatsDocument>, StoreUnavailable>;
  readonly putMany: (documents: ReadonlyArray<GlobalStatsDocument>) => Effect.Effect<void, StoreUnavailable>;
}
export class GlobalStatsStore extends Context.Tag("@cinematch/adapters/GlobalStatsStore")<
  GlobalStatsStore,
  GlobalStatsStoreService
>() {}
