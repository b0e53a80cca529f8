import { Context, Data, type Effect, type Option } from "effect";
import type { StoreUnavailable } from "../store-errors.ts";

/**
 * A user account. `email` is stored as given: callers normalize it (trimmed, lowercase) first, so
 * the unique index on it is case-insensitive in effect. `password_hash` is a self-describing KDF
 * string (e.g. `scrypt$N$r$p$salt$hash`); the store never sees a password.
 */
export interface Account {
  readonly user_id: string;
  readonly email: string;
  readonly password_hash: string;
  readonly created_at: number;
}

/** Another account already uses this email (the unique index said so). */
export class EmailTaken extends Data.TaggedError("EmailTaken")<{ readonly email: string }> {}

export interface AccountsStoreService {
  readonly create: (account: Account) => Effect.Effect<void, EmailTaken | StoreUnavailable>;
  readonly findByEmail: (email: string) => Effect.Effect<Option.Option<Account>, StoreUnavailable>;
  readonly get: (user_id: string) => Effect.Effect<Option.Option<Account>, StoreUnavailable>;
}

/** The `users` collection: `{ _id: user_id, email (unique), password_hash, created_at }`. */
export class AccountsStore extends Context.Tag("@cinematch/adapters/AccountsStore")<
  AccountsStore,
  AccountsStoreService
>() {}
