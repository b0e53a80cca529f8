import type { IncomingMessage, ServerResponse } from "node:http";
import { IdGenerator } from "@cinematch/adapters";
import type { ErrorBody } from "@cinematch/domain";
import { Cause, Clock, Duration, Effect, Either, Exit, Fiber, Option, Runtime } from "effect";
import { badRequest, HttpFailure, unauthorized, validationFailed } from "./failure.ts";
import { SECURITY_HEADERS } from "./hardening.ts";
import type { HttpMetrics } from "./metrics.ts";
import type { Caller, Reply, Route } from "./route.ts";
import { bearerOf, bodyParserOf, decoderOf, isJsonType, readBody } from "./request-parts.ts";
import { makeRouter } from "./router.ts";
import type { Admission } from "./admission.ts";
import type { StaticFile } from "./static.ts";

export interface RequestListenerOptions<R> {
  readonly routes: ReadonlyArray<Route<R>>;
  readonly runtime: Runtime.Runtime<R | IdGenerator>;
  readonly maxBodyBytes: number;
  readonly trustProxy: boolean;
  /** Longest a request may take before it is answered 503 (0: no bound). */
  readonly deadlineMs: number;
  /** Bounds the handlers running at once (every route but `UNBOUNDED_ROUTES`); none: no bound. */
  readonly admission?: Admission;
  readonly authenticate: (token: string, nowMs: number) => Either.Either<Caller, string>;
  readonly metrics: HttpMetrics;
  readonly staticFiles?: (pathname: string, acceptsHtml: boolean) => Promise<StaticFile | undefined>;
}

const JSON_TYPE = "application/json; charset=utf-8";

/**
 * Routes that touch no store, or hold a stream open: they never wait for an admission slot.
 * `global_trends` answers from the in-process copy (measured: holding it to the bound cost it 40 %
 * of its requests/s while POSTs filled the slots).
 */
const UNBOUNDED_ROUTES: ReadonlySet<string> = new Set([
  "global_trends",
  "health",
  "ready",
  "metrics",
  "openapi",
  "docs",
  "live",
]);

const errorText = (body: ErrorBody) => JSON.stringify(body);

const failureReply = (failure: HttpFailure, error_id?: string): Reply => ({
  _tag: "Body",
  status: failure.status,
  contentType: JSON_TYPE,
  text: errorText({
    error: failure.code,
    message: failure.message,
    ...(failure.issues ? { issues: failure.issues } : {}),
    ...(failure.candidates ? { candidates: failure.candidates } : {}),
    ...(error_id ? { error_id } : {}),
  }),
  ...(failure.headers ? { headers: failure.headers } : {}),
});

/** The bound on every request: a store or broker that hangs must not hold a client for long. */
const pastDeadline = (deadlineMs: number) =>
  new HttpFailure({
    status: 503,
    code: "unavailable",
    message: `no answer within ${(deadlineMs / 1000).toFixed(1)} s: a service the API depends on is slow or unavailable; try again shortly`,
    headers: { "retry-after": "2" },
  });

const tagOf = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "_tag" in error && typeof error._tag === "string"
    ? error._tag
    : undefined;

/**
 * Turns any failure into an answer. `HttpFailure`s are the handler's own answers; a store or broker
 * failure is 503; anything else (a defect included) is 500. For 5xx an error id is made, logged
 * with the full cause, and returned; the body never carries a stack or an internal message.
 */
const recover = (route: string) => (cause: Cause.Cause<unknown>) =>
  Effect.gen(function* () {
    const failure = Cause.failureOption(cause);
    if (Option.isSome(failure) && failure.value instanceof HttpFailure) return failureReply(failure.value);
    const error_id = yield* (yield* IdGenerator).next;
    const tag = Option.isSome(failure) ? tagOf(failure.value) : undefined;
    const unavailable = tag === "StoreUnavailable" || tag === "EventLogError";
    yield* Effect.logError(
      unavailable ? "request failed: a dependency is unavailable" : "request failed unexpectedly",
      cause,
    ).pipe(Effect.annotateLogs({ error_id, route }));
    return failureReply(
      unavailable
        ? new HttpFailure({
            status: 503,
            code: tag === "StoreUnavailable" ? "storage_unavailable" : "broker_unavailable",
            message: "a service the API depends on is unavailable; try again shortly",
            headers: { "retry-after": "2" },
          })
        : new HttpFailure({
            status: 500,
            code: "internal_error",
            message: "unexpected error; quote the error_id when reporting it",
          }),
      error_id,
    );
  });

/** The node:http request listener: routing, auth, schema decoding, errors, metrics, static files. */
export const makeRequestListener = <R>(options: RequestListenerOptions<R>) => {
  const find = makeRouter(options.routes);
  const runFork = Runtime.runFork(options.runtime);
  const { metrics } = options;

  const write = (res: ServerResponse, reply: Reply, route: string, method: string, started: number) => {
    if (reply._tag === "Streamed" || res.headersSent || res.destroyed) return;
    const headers: Record<string, string | number> = { ...reply.headers };
    if (reply.contentType !== "") headers["content-type"] = reply.contentType;
    headers["content-length"] =
      typeof reply.text === "string" ? Buffer.byteLength(reply.text) : reply.text.length;
    res.writeHead(reply.status, headers);
    res.end(reply.text);
    metrics.observe(route, method, reply.status, (performance.now() - started) / 1000);
  };

  const clientIp = (req: IncomingMessage) => {
    if (options.trustProxy) {
      const forwarded = req.headers["x-forwarded-for"];
      const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
      if (first) return first;
    }
    return req.socket.remoteAddress ?? "unknown";
  };

  const handle = (
    route: Route<R>,
    req: IncomingMessage,
    res: ServerResponse,
    rawParams: Record<string, string>,
    search: string,
  ): Effect.Effect<Reply, never, R | IdGenerator> =>
    Effect.gen(function* () {
      const query: Record<string, string> =
        search === "" ? {} : Object.fromEntries(new URLSearchParams(search));
      let caller: Caller | undefined;
      if (route.auth !== "none") {
        const token = bearerOf(req.headers.authorization) ?? (route.tokenInQuery ? query.token : undefined);
        if (token === undefined) {
          if (route.auth === "required")
            return yield* Effect.fail(unauthorized("a bearer token is required: log in first"));
        } else {
          const verified = options.authenticate(token, yield* Clock.currentTimeMillis);
          if (Either.isLeft(verified)) return yield* Effect.fail(unauthorized(verified.left));
          caller = verified.right;
        }
      }
      let params: unknown;
      if (route.params) {
        const decoded = decoderOf(route.params, "path")(rawParams);
        if (Either.isLeft(decoded))
          return yield* Effect.fail(badRequest("invalid path parameter", decoded.left.issues));
        params = decoded.right;
      }
      let decodedQuery: unknown;
      if (route.query) {
        const decoded = decoderOf(route.query, "query")(query);
        if (Either.isLeft(decoded))
          return yield* Effect.fail(badRequest("invalid query parameter", decoded.left.issues));
        decodedQuery = decoded.right;
      }
      let body: unknown;
      if (route.body) {
        const type = req.headers["content-type"];
        if (!isJsonType(type)) {
          return yield* Effect.fail(
            new HttpFailure({
              status: 415,
              code: "unsupported_media_type",
              message: "send a JSON body with content-type: application/json",
            }),
          );
        }
        const raw = yield* readBody(req, options.maxBodyBytes);
        const decoded = bodyParserOf(route.body)(raw.toString("utf8"));
        if (Either.isLeft(decoded)) {
          const issues = decoded.left.issues;
          const malformed =
            issues.length === 1 && issues[0]!.path === "" && issues[0]!.message.startsWith("malformed JSON");
          return yield* Effect.fail(
            malformed ? badRequest("the body is not valid JSON", issues) : validationFailed(issues),
          );
        }
        body = decoded.right;
      }
      const handler = route.handler({
        params,
        query: decodedQuery,
        body,
        caller,
        ip: clientIp(req),
        req,
        res,
      });
      return yield* options.admission === undefined || UNBOUNDED_ROUTES.has(route.name)
        ? handler
        : options.admission.admit(handler);
    }).pipe(
      // A write cut off here may still complete: it was not acknowledged, and a retry finds it
      // (adding again answers already_present), so nothing is counted twice.
      (effect) =>
        options.deadlineMs > 0
          ? Effect.timeoutFail(effect, {
              duration: Duration.millis(options.deadlineMs),
              onTimeout: () => pastDeadline(options.deadlineMs),
            })
          : effect,
      Effect.catchAllCause(recover(route.name)),
    );

  const simple = (
    res: ServerResponse,
    status: number,
    code: string,
    message: string,
    route: string,
    method: string,
    started: number,
    headers?: Record<string, string>,
  ) =>
    write(
      res,
      {
        _tag: "Body",
        status,
        contentType: JSON_TYPE,
        text: errorText({ error: code, message }),
        ...(headers ? { headers } : {}),
      },
      route,
      method,
      started,
    );

  const securityHeaders = Object.entries(SECURITY_HEADERS);

  return (req: IncomingMessage, res: ServerResponse): void => {
    const started = performance.now();
    // Set before anything is written, so streams (/live) and static files carry them too; a reply's
    // own headers (the docs page's policy) take precedence in writeHead.
    for (const [name, value] of securityHeaders) res.setHeader(name, value);
    const method = req.method ?? "GET";
    const url = req.url ?? "/";
    const mark = url.indexOf("?");
    const pathname = mark < 0 ? url : url.slice(0, mark);
    const search = mark < 0 ? "" : url.slice(mark + 1);
    const match = find(method, pathname);

    if (match._tag === "Found") {
      const fiber = runFork(handle(match.route, req, res, match.params, search));
      fiber.addObserver((exit) => {
        if (Exit.isSuccess(exit)) write(res, exit.value, match.route.name, method, started);
        else if (!res.headersSent && !res.destroyed)
          simple(res, 500, "internal_error", "unexpected error", match.route.name, method, started);
      });
      // The client went away before the answer: stop the work (a write already done stays done).
      res.on("close", () => {
        if (!res.writableFinished) Effect.runFork(Fiber.interrupt(fiber));
      });
      return;
    }
    if (match._tag === "MethodNotAllowed") {
      simple(
        res,
        405,
        "method_not_allowed",
        `${method} is not allowed here; use ${match.allowed.join(", ")}`,
        "unmatched",
        method,
        started,
        {
          allow: match.allowed.join(", "),
        },
      );
      return;
    }
    if (match._tag === "BadPath") {
      simple(res, 400, "bad_request", "the path is not valid percent-encoding", "unmatched", method, started);
      return;
    }
    const accept = req.headers.accept ?? "";
    if ((method === "GET" || method === "HEAD") && options.staticFiles) {
      options.staticFiles(pathname, pathname === "/" || accept.includes("text/html")).then(
        (file) => {
          if (file === undefined)
            simple(res, 404, "not_found", `no route ${method} ${pathname}`, "unmatched", method, started);
          else
            write(
              res,
              {
                _tag: "Body",
                status: file.status,
                contentType: file.contentType,
                text: file.body,
                headers: file.headers,
              },
              "static",
              method,
              started,
            );
        },
        () => simple(res, 500, "internal_error", "could not read the file", "static", method, started),
      );
      return;
    }
    simple(res, 404, "not_found", `no route ${method} ${pathname}`, "unmatched", method, started);
  };
};
