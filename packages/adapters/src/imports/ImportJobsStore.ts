import type { ImportReport } from "@cinematch/domain";
import { Context, type Effect, type Option } from "effect";
import type { StoreUnavailable } from "../store-errors.ts";

/**
 * The history imports' progress and reports, so that whichever API process a client asks can answer
 * `GET /imports/{id}` (several API workers share a port). One writer per import: the process that
 * runs it saves the whole report each time (`save` replaces it), so there are no concurrent updates.
 */
export interface ImportJobsStoreService {
  readonly save: (user_id: string, report: ImportReport) => Effect.Effect<void, StoreUnavailable>;
  /** The report of this user's import; `None` for an unknown id or another user's import. */
  readonly get: (
    user_id: string,
    import_id: string,
  ) => Effect.Effect<Option.Option<ImportReport>, StoreUnavailable>;
}

/** The `imports` collection: `{ _id: import_id, user_id, ...the report as its wire format }`. */
export class ImportJobsStore extends Context.Tag("@cinematch/adapters/ImportJobsStore")<
  ImportJobsStore,
  ImportJobsStoreService
>() {}
