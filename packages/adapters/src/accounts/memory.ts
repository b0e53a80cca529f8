import { Effect, Layer, Option } from "effect";
import { type Account, AccountsStore, type AccountsStoreService, EmailTaken } from "./AccountsStore.ts";

export const makeAccountsStoreMemory = (): AccountsStoreService => {
  const byId = new Map<string, Account>();
  const byEmail = new Map<string, Account>();
  return {
    create: (account) =>
      Effect.suspend(() => {
        if (byEmail.has(account.email)) return Effect.fail(new EmailTaken({ email: account.email }));
        // A duplicate id is a caller defect (ids are generated), as a duplicate `_id` would be in MongoDB.
        if (byId.has(account.user_id)) return Effect.die(new Error(`duplicate user id ${account.user_id}`));
        const copy = { ...account };
        byId.set(copy.user_id, copy);
        byEmail.set(copy.email, copy);
        return Effect.void;
      }),
    findByEmail: (email) =>
      Effect.sync(() => Option.map(Option.fromNullable(byEmail.get(email)), (a) => ({ ...a }))),
    get: (user_id) =>
      Effect.sync(() => Option.map(Option.fromNullable(byId.get(user_id)), (a) => ({ ...a }))),
  };
};

export const AccountsStoreMemory: Layer.Layer<AccountsStore> = Layer.sync(
  AccountsStore,
  makeAccountsStoreMemory,
);
