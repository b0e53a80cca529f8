import type { GlobalStatsDocument, TrendWindow, UserStatsDocument } from "@cinematch/domain";
import { Context, type Effect, type Option } from "effect";
import type { StoreUnavailable } from "../store-errors.ts";

/**
 * A user's statistics as written by the owner of the user's partition under its ownership `epoch`
 * (`PartitionOwnership`; 0 when ownership is not used).
 */
export type OwnedUserStats = UserStatsDocument & { readonly epoch?: number };

/**
 * `user_stats`: a user's statistics, written by the user-stats runner, read by the API. Each
 * epoch's owner writes the user's document of its epoch, and a read returns the one of the highest
 * epoch: an owner that was superseded (paused past its session, then woken) and writes late writes
 * a document nobody reads any more.
 */
export interface UserStatsStoreService {
  readonly get: (user_id: string) => Effect.Effect<Option.Option<UserStatsDocument>, StoreUnavailable>;
  /** Replaces every given user's document (of its epoch) in one bulk write. */
  readonly putMany: (documents: ReadonlyArray<OwnedUserStats>) => Effect.Effect<void, StoreUnavailable>;
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
