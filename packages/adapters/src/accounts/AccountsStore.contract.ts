import { Effect, Either, type Layer, Option } from "effect";
import { describe, expect, it } from "vitest";
import { type Account, AccountsStore, type AccountsStoreService } from "./AccountsStore.ts";

const account = (user_id: string, email: string): Account => ({
  user_id,
  email,
  password_hash: `scrypt$16384$8$1$c2FsdA$${user_id}`,
  created_at: Date.UTC(2026, 10, 1),
});

/** The behaviour every `AccountsStore` layer must have; `makeLayer` gives an empty store per test. */
export const accountsStoreContract = (
  label: string,
  makeLayer: () => Layer.Layer<AccountsStore, unknown>,
): void => {
  const run = <A, E>(body: (store: AccountsStoreService) => Effect.Effect<A, E>): Promise<A> =>
    Effect.runPromise(
      Effect.scoped(Effect.flatMap(AccountsStore, body).pipe(Effect.provide(makeLayer()))) as Effect.Effect<
        A,
        unknown
      >,
    );

  describe(`AccountsStore contract: ${label}`, () => {
    describe("an empty store", () => {
      it("given no accounts, when looked up, then nothing is found", async () => {
        const result = await run((store) =>
          Effect.all({ byEmail: store.findByEmail("a@example.com"), byId: store.get("u1") }),
        );
        expect(Option.isNone(result.byEmail) && Option.isNone(result.byId)).toBe(true);
      });
    });

    describe("a store with one account", () => {
      it("given the account, when looked up by email and by id, then every field round-trips", async () => {
        const alice = account("u1", "alice@example.com");
        const result = await run((store) =>
          Effect.gen(function* () {
            yield* store.create(alice);
            return { byEmail: yield* store.findByEmail("alice@example.com"), byId: yield* store.get("u1") };
          }),
        );
        expect(result.byEmail).toEqual(Option.some(alice));
        expect(result.byId).toEqual(Option.some(alice));
      });

      it("given the same email again, when created, then it is reported as taken and the first account stays", async () => {
        const result = await run((store) =>
          Effect.gen(function* () {
            yield* store.create(account("u1", "alice@example.com"));
            const second = yield* Effect.either(store.create(account("u2", "alice@example.com")));
            return { second, u2: yield* store.get("u2"), u1: yield* store.get("u1") };
          }),
        );
        expect(Either.isLeft(result.second) && result.second.left._tag).toBe("EmailTaken");
        expect(Option.isNone(result.u2)).toBe(true);
        expect(Option.isSome(result.u1)).toBe(true);
      });

      it("given another email, when created, then both accounts exist", async () => {
        const result = await run((store) =>
          Effect.gen(function* () {
            yield* store.create(account("u1", "alice@example.com"));
            yield* store.create(account("u2", "bob@example.com"));
            return yield* store.findByEmail("bob@example.com");
          }),
        );
        expect(Option.map(result, (a) => a.user_id)).toEqual(Option.some("u2"));
      });
    });
  });
};
