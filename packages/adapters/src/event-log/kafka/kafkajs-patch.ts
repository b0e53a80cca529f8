import { createRequire } from "node:module";

/**
 * kafkajs 2.2.4 (its last release) re-arms a timer on every connection's request queue every
 * millisecond, forever, even with nothing queued: `throttledUntil` starts at -1, so the delay it
 * computes is negative, Node clamps it to 1 ms and warns once (`TimeoutNegativeWarning`). Measured
 * here: an idle admin + producer burnt ~170 ms of CPU per 5 s. Upstream: tulios/kafkajs#1704 and
 * #1751 (fix PRs #1755/#1768, unmerged). This guard skips scheduling when nothing is queued and no
 * throttle is in effect — `push` schedules again whenever it queues a request, and every response
 * or timeout re-checks the queue, so no request can be stranded.
 *
 * It patches the shared prototype once, at import; if kafkajs' internals ever move, it does nothing.
 */
interface RequestQueueLike {
  pending: ReadonlyArray<unknown>;
  throttledUntil: number;
  throttleCheckTimeoutId: unknown;
}

const PATCHED = Symbol.for("cinematch.kafkajs.requestQueuePatched");

export const patchKafkajsRequestQueue = (): boolean => {
  let RequestQueue: { prototype: Record<PropertyKey, unknown> } | undefined;
  try {
    RequestQueue = createRequire(import.meta.url)("kafkajs/src/network/requestQueue/index.js");
  } catch {
    return false;
  }
  const proto = RequestQueue?.prototype;
  const original = proto?.scheduleCheckPendingRequests;
  if (proto === undefined || typeof original !== "function") return false;
  if (proto[PATCHED] === true) return true;
  proto.scheduleCheckPendingRequests = function (this: RequestQueueLike) {
    if (this.pending.length === 0 && !(this.throttledUntil > Date.now()) && !this.throttleCheckTimeoutId)
      return;
    return original.call(this);
  };
  proto[PATCHED] = true;
  return true;
};
