import type { GlobalStatsDocument, TrendWindow, UserStatsDocument } from "@cinematch/domain";
import { Context, type Effect, type Option } from "effect";
import type { MongoError } from "../mongo/MongoDatabase.ts";

/** `user_stats`: one document per user, written by the user-stats runner, read by the API. */
export interface UserStatsStoreService {
  readonly get: (user_id: string) => Effect.Effect<Option.Option<UserStatsDocument>, MongoError>;
  /** Replaces every given user's document in one bulk write. */
  readonly putMany: (documents: ReadonlyArray<UserStatsDocument>) => Effect.Effect<void, MongoError>;
}
export class UserStatsStore extends Context.Tag("@cinematch/adapters/UserStatsStore")<
  UserStatsStore,
  UserStatsStoreService
>() {}

/** `global_stats`: one small document per trend window, written by the trends runner, read by the API. */
export interface GlobalStatsStoreService {
  readonly get: (window: TrendWindow) => Effect.Effect<Option.Option<GlobalStatsDocument>, MongoError>;
  readonly putMany: (documents: ReadonlyArray<GlobalStatsDocument>) => Effect.Effect<void, MongoError>;
}
export class GlobalStatsStore extends Context.Tag("@cinematch/adapters/GlobalStatsStore")<
  GlobalStatsStore,
  GlobalStatsStoreService
>() {}
