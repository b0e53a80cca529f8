import { Timestamp } from "@cinematch/domain";
import { Effect, Either, Layer, Option, ParseResult, Schema } from "effect";
import type { Collection, Document } from "mongodb";
import { tryMongo, tryMongoWrite } from "../mongo/errors.ts";
import { MongoDatabase } from "../mongo/MongoDatabase.ts";
import { StoreUnavailable } from "../store-errors.ts";
import { type Account, AccountsStore, type AccountsStoreService, EmailTaken } from "./AccountsStore.ts";

/** `users`: `{ _id: user_id, email (unique index), password_hash, created_at (ISO text) }`. */
export const USERS_COLLECTION = "users";

const StoredAccount = Schema.Struct({
  _id: Schema.String,
  email: Schema.String,
  password_hash: Schema.String,
  created_at: Timestamp,
});

export const makeAccountsStoreMongo = Effect.gen(function* () {
  const { db } = yield* MongoDatabase;
  const collection: Collection<Document> = db.collection(USERS_COLLECTION);
  yield* tryMongo("users.createIndex", () =>
    collection.createIndex({ email: 1 }, { unique: true, name: "email_unique" }),
  );
  const encode = Schema.encodeSync(StoredAccount);
  const decode = Schema.decodeUnknownEither(StoredAccount, { onExcessProperty: "ignore" });
  const toAccount = (doc: Document | null): Effect.Effect<Option.Option<Account>, StoreUnavailable> =>
    doc === null
      ? Effect.succeedNone
      : Either.match(decode(doc), {
          onLeft: (error) =>
            Effect.fail(
              new StoreUnavailable({
                operation: "users.read",
                message: `stored account does not fit its schema: ${ParseResult.TreeFormatter.formatErrorSync(error)}`,
              }),
            ),
          onRight: ({ _id, ...rest }) => Effect.succeed(Option.some({ user_id: _id, ...rest })),
        });

  const service: AccountsStoreService = {
    create: (account) =>
      tryMongoWrite("users.insertOne", () =>
        collection.insertOne(
          encode({
            _id: account.user_id,
            email: account.email,
            password_hash: account.password_hash,
            created_at: account.created_at,
          }) as unknown as Document,
        ),
      ).pipe(
        Effect.asVoid,
        // Ids are random UUIDs: a clash on the unique index is the email's.
        Effect.catchTag("DuplicateKeyError", () => Effect.fail(new EmailTaken({ email: account.email }))),
      ),
    findByEmail: (email) =>
      tryMongo("users.findByEmail", () => collection.findOne({ email })).pipe(Effect.flatMap(toAccount)),
    get: (user_id) =>
      tryMongo("users.get", () => collection.findOne({ _id: user_id } as Document)).pipe(
        Effect.flatMap(toAccount),
      ),
  };
  return service;
});

export const AccountsStoreMongo: Layer.Layer<AccountsStore, StoreUnavailable, MongoDatabase> = Layer.effect(
  AccountsStore,
  makeAccountsStoreMongo,
);
