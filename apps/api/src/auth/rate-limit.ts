/**
 * Fixed-window attempt counters per key (an email, an IP address). In memory, per process: behind
 * several API processes each enforces its own limit (the note says so). Bounded: expired windows
 * are swept, and past `maxKeys` the oldest windows are dropped first.
 */
export interface RateLimiter {
  /** Counts one attempt; `retryAfterMs` > 0 when the key is over its limit (the attempt is refused). */
  readonly hit: (key: string, nowMs: number) => { readonly allowed: boolean; readonly retryAfterMs: number };
  /** Forgets a key (after a successful login, its email starts over). */
  readonly reset: (key: string) => void;
  readonly size: () => number;
}

export const makeRateLimiter = (limit: number, windowMs: number, maxKeys = 100_000): RateLimiter => {
  const windows = new Map<string, { start: number; count: number }>();
  let lastSweep = 0;
  const sweep = (now: number) => {
    if (now - lastSweep < windowMs && windows.size < maxKeys) return;
    lastSweep = now;
    for (const [key, window] of windows) if (now - window.start >= windowMs) windows.delete(key);
    // Still too many: Map iteration is insertion order, so the oldest windows go first.
    for (const key of windows.keys()) {
      if (windows.size < maxKeys) break;
      windows.delete(key);
    }
  };
  return {
    hit: (key, now) => {
      sweep(now);
      let window = windows.get(key);
      if (window === undefined || now - window.start >= windowMs) {
        windows.delete(key);
        window = { start: now, count: 0 };
        windows.set(key, window);
      }
      if (window.count >= limit) return { allowed: false, retryAfterMs: window.start + windowMs - now };
      window.count += 1;
      return { allowed: true, retryAfterMs: 0 };
    },
    reset: (key) => {
      windows.delete(key);
    },
    size: () => windows.size,
  };
};
