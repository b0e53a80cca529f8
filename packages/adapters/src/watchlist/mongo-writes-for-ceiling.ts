import { decide, evolveAll } from "@cinematch/domain";
import { Either } from "effect";
import type { AnyBulkWriteOperation, Document } from "mongodb";
import { WATCHLIST_INDEXES } from "./mongo-document.ts";
import { clearOperations, newDocument } from "./mongo-writes.ts";
import { watchlistEntryKey } from "./WatchlistStore.ts";

/**
 * The exact writes the MongoDB watchlist store sends for one new entry, for benchmarks that measure
 * the server's own ceiling beside the API: the document a commit inserts, and the write that clears
 * its published ADD (the common, one-write form of `clearOperations`).
 */
export const watchlistWritesOfNewEntry = (
  index: number,
  now: number,
): { readonly document: Document; readonly clear: AnyBulkWriteOperation } => {
  const user_id = `ceiling-user-${index % 200}`;
  const movie_id = `ceiling-film-${index}`;
  const decision = decide(
    {
      type: "AddMovie",
      event_id: `ceiling-event-${index}`,
      user_id,
      movie: {
        movie_id,
        title: `Ceiling Film Number ${index}`,
        year: 1950 + (index % 70),
        genres: ["Drama", "Comedy"],
        directors: [`Director ${index % 97}`],
        actors: [`Actor ${index % 89}`, `Actor ${(index * 7) % 89}`],
        runtime_minutes: 80 + (index % 60),
        poster_path: `/posters/ceiling-${index}.jpg`,
      },
      rating: 1 + (index % 10),
    },
    undefined,
    now,
  );
  if (Either.isLeft(decision))
    throw new Error(`the decider refused the ceiling's film: ${decision.left._tag}`);
  const events = decision.right;
  const key = watchlistEntryKey(user_id, movie_id);
  const document = newDocument(key, {
    expected_version: undefined,
    state: evolveAll(undefined, events)!,
    events,
  });
  const [clear] = clearOperations(
    events.map((event, i) => ({
      entry_key: key,
      event,
      position: { partition: 0, offset: String(index + i) },
      version: 1,
    })),
  );
  return { document, clear: clear!.fast! };
};

export { WATCHLIST_INDEXES };
