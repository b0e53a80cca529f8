/**
 * Live updates. The API pushes `event: trends` and `event: stats` (with `{updated_at}`) over
 * server-sent events at `/live`; the dashboard refetches on each. When the stream cannot be opened
 * (it errors, or has not opened after a few seconds) it polls every few seconds instead, and stops
 * polling as soon as the stream is open again.
 */

export type LiveMode = "connecting" | "live" | "polling";

export interface LiveHandlers {
  readonly onTrends: () => void;
  readonly onStats: () => void;
  readonly onMode: (mode: LiveMode) => void;
}

export const POLL_INTERVAL_MS = 3_000;
/** How long a stream may take to open before polling starts meanwhile. */
const OPEN_GRACE_MS = 4_000;
/** A stream the browser gave up on (CLOSED) is retried this often while polling carries on. */
const REOPEN_AFTER_MS = 15_000;

export const connectLive = (token: string | null, handlers: LiveHandlers): (() => void) => {
  let source: EventSource | undefined;
  let pollTimer: ReturnType<typeof setInterval> | undefined;
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  let reopenTimer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const refetchAll = () => {
    handlers.onTrends();
    if (token) handlers.onStats();
  };

  const startPolling = () => {
    if (closed || pollTimer !== undefined) return;
    handlers.onMode("polling");
    refetchAll();
    pollTimer = setInterval(refetchAll, POLL_INTERVAL_MS);
  };
  const stopPolling = () => {
    if (pollTimer !== undefined) clearInterval(pollTimer);
    pollTimer = undefined;
  };

  const open = () => {
    if (closed) return;
    if (typeof EventSource === "undefined") {
      startPolling();
      return;
    }
    const url = token ? `/live?token=${encodeURIComponent(token)}` : "/live";
    const stream = new EventSource(url);
    source = stream;
    if (pollTimer === undefined) handlers.onMode("connecting");
    graceTimer = setTimeout(() => {
      if (stream.readyState !== EventSource.OPEN) startPolling();
    }, OPEN_GRACE_MS);
    stream.addEventListener("open", () => {
      const wasPolling = pollTimer !== undefined;
      stopPolling();
      handlers.onMode("live");
      // Whatever changed while we were not listening.
      if (wasPolling) refetchAll();
    });
    stream.addEventListener("trends", () => handlers.onTrends());
    stream.addEventListener("stats", () => {
      if (token) handlers.onStats();
    });
    stream.addEventListener("error", () => {
      // The stream dropped or could not connect. Poll at once (it stops when the stream reopens);
      // while CONNECTING the browser retries by itself, once CLOSED it has given up: retry later.
      startPolling();
      if (stream.readyState === EventSource.CLOSED) {
        stream.close();
        reopenTimer = setTimeout(open, REOPEN_AFTER_MS);
      }
    });
  };

  open();
  return () => {
    closed = true;
    source?.close();
    stopPolling();
    clearTimeout(graceTimer);
    clearTimeout(reopenTimer);
  };
};
