import { encoderFor, WatchlistEvent } from "@cinematch/domain";
import type { OutgoingMessage } from "../event-log/EventLog.ts";
import type { PendingEvents } from "../watchlist/WatchlistStore.ts";

/** What the publisher sends: an event as a record keyed by its user, and a user's outboxes merged in order. */

const encodeEvent = encoderFor(WatchlistEvent);

export const toOutgoingMessage = (event: WatchlistEvent): OutgoingMessage => ({
  key: event.user_id,
  value: JSON.stringify(encodeEvent(event)),
  headers: {
    event_id: event.event_id,
    event_type: event.event_type,
    schema_version: String(event.schema_version),
  },
});

/**
 * Merges one user's outboxes into one sequence, oldest `occurred_at` first, never reordering the
 * events of one outbox (a clock that steps back cannot put a DELETE before its ADD).
 */
export const mergeUserOutboxes = (
  outboxes: ReadonlyArray<PendingEvents>,
): Array<{ readonly entry_key: string; readonly event: WatchlistEvent }> => {
  const cursors = outboxes.map(() => 0);
  const merged: Array<{ entry_key: string; event: WatchlistEvent }> = [];
  for (;;) {
    let best = -1;
    for (let i = 0; i < outboxes.length; i++) {
      const candidate = outboxes[i]!.events[cursors[i]!];
      if (candidate === undefined) continue;
      const current = best < 0 ? undefined : outboxes[best]!.events[cursors[best]!];
      if (current === undefined || candidate.occurred_at < current.occurred_at) best = i;
    }
    if (best < 0) return merged;
    const outbox = outboxes[best]!;
    merged.push({ entry_key: outbox.entry_key, event: outbox.events[cursors[best]!]! });
    cursors[best]! += 1;
  }
};
