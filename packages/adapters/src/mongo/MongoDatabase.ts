import { Context } from "effect";
import type { Db, MongoClient } from "mongodb";

/**
 * The connected database. One client per process, shared by every store adapter; the real layer
 * connects with bounded timeouts and closes the client when its scope ends.
 * Production targets MongoDB 7+; tests run on FerretDB 1.24, so adapters stay inside what both do
 * (no transactions, change streams, TTL indexes, `$avg` in `$group`, or dotted field names).
 */
export interface MongoDatabaseService {
  readonly client: MongoClient;
  readonly db: Db;
}

export class MongoDatabase extends Context.Tag("@cinematch/adapters/MongoDatabase")<
  MongoDatabase,
  MongoDatabaseService
>() {}
