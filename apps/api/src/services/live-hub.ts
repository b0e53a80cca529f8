import type { ServerResponse } from "node:http";
import { UserStatsStore } from "@cinematch/adapters";
import { LiveUpdate, type TrendWindow } from "@cinematch/domain";
import { Duration, Effect, Option, Schema, type Scope } from "effect";
import type { TrendsCache } from "./trends-cache.ts";

/**
 * Server-sent events for the dashboard: `event: trends` when any window's `global_stats.updated_at`
 * changes (pushed by the trends cache's refresh), `event: stats` when the caller's
 * `user_stats.last_updated` changes (one loop every `pollMs` for all connected users, not one per
 * client). Data is `{updated_at}`; the client refetches. A comment every `keepAliveMs` keeps proxies
 * from closing idle streams.
 */
export interface LiveHub {
  /** Starts a stream; the caller's current `last_updated` is read first, so any later change is sent. */
  readonly open: (res: ServerResponse, user_id: string | undefined) => Effect.Effect<void>;
  readonly clients: () => number;
}

interface Client {
  readonly res: ServerResponse;
  readonly user_id: string | undefined;
}

const encodeUpdate = Schema.encodeSync(LiveUpdate);

export const makeLiveHub = (options: {
  readonly trends: TrendsCache;
  readonly pollMs: number;
  readonly keepAliveMs: number;
}): Effect.Effect<LiveHub, never, UserStatsStore | Scope.Scope> =>
  Effect.gen(function* () {
    const stats = yield* UserStatsStore;
    const clients = new Set<Client>();
    /** Per connected user: the `last_updated` last seen (`null`: no document yet). */
    const seen = new Map<string, number | null>();

    const send = (client: Client, event: string, data: unknown) => {
      if (!client.res.destroyed) client.res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };

    const unsubscribe = options.trends.onChange((windows: ReadonlyArray<TrendWindow>) => {
      for (const window of windows) {
        const updated_at = options.trends.updatedAt(window);
        if (updated_at === undefined) continue;
        const data = encodeUpdate({ updated_at, window });
        for (const client of clients) send(client, "trends", data);
      }
    });

    const pollStats = Effect.gen(function* () {
      const users = new Set<string>();
      for (const client of clients) if (client.user_id !== undefined) users.add(client.user_id);
      for (const user of seen.keys()) if (!users.has(user)) seen.delete(user);
      for (const user_id of users) {
        const doc = yield* stats.get(user_id);
        const last = Option.match(doc, { onNone: () => null, onSome: (d) => d.last_updated });
        const before = seen.get(user_id);
        seen.set(user_id, last);
        if (before === undefined || before === last || last === null) continue;
        const data = encodeUpdate({ updated_at: last });
        for (const client of clients) if (client.user_id === user_id) send(client, "stats", data);
      }
    }).pipe(Effect.catchAll((error) => Effect.logDebug("live: cannot read user_stats", error.message)));

    const keepAlive = Effect.sync(() => {
      for (const client of clients) if (!client.res.destroyed) client.res.write(": keep-alive\n\n");
    });

    yield* Effect.forkScoped(
      Effect.forever(Effect.zipRight(Effect.sleep(Duration.millis(options.pollMs)), pollStats)),
    );
    yield* Effect.forkScoped(
      Effect.forever(Effect.zipRight(Effect.sleep(Duration.millis(options.keepAliveMs)), keepAlive)),
    );
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        unsubscribe();
        for (const client of clients) client.res.end();
        clients.clear();
      }),
    );

    return {
      open: (res, user_id) =>
        Effect.gen(function* () {
          if (user_id !== undefined && !seen.has(user_id)) {
            const doc = yield* Effect.option(stats.get(user_id));
            const last = Option.flatMap(doc, (d) => d).pipe(Option.map((d) => d.last_updated));
            if (!seen.has(user_id)) seen.set(user_id, Option.getOrNull(last));
          }
          if (res.destroyed) return;
          res.writeHead(200, {
            "content-type": "text/event-stream; charset=utf-8",
            "cache-control": "no-cache, no-transform",
            connection: "keep-alive",
            "x-accel-buffering": "no",
          });
          res.write("retry: 3000\n: connected\n\n");
          const client: Client = { res, user_id };
          clients.add(client);
          res.on("close", () => clients.delete(client));
        }),
      clients: () => clients.size,
    };
  });
