/**
 * The HTTP API as the dashboard uses it. Shapes are the domain schemas' wire (encoded) forms,
 * imported as types only, so none of Effect ends up in the bundle. Every call answers with a
 * result value, never a thrown error: the screens show `message` and carry on.
 */
import type {
  AddMovieResponse,
  AuthToken,
  CatalogSearchResponse,
  ErrorBody,
  Film,
  GlobalStatsDocument,
  ImportAccepted,
  ImportReport,
  ImportSource,
  MoviesPage,
  MyStatsResponse,
  TrendWindow,
  UpdateMovieRequest,
  UserStatsDocument,
  WatchedEntry,
} from "@cinematch/domain";

export type FilmWire = typeof Film.Encoded;
export type TrendsWire = typeof GlobalStatsDocument.Encoded;
export type StatsDocumentWire = typeof UserStatsDocument.Encoded;
export type StatsWire = StatsDocumentWire["stats"];
export type EntryWire = typeof WatchedEntry.Encoded;
export type { TrendWindow };

export interface Page<T> {
  readonly items: ReadonlyArray<T>;
  readonly total: number | undefined;
  readonly offset: number;
  readonly limit: number;
}

export type ApiResult<T> =
  | { readonly ok: true; readonly status: number; readonly value: T }
  | { readonly ok: false; readonly status: number; readonly message: string; readonly body: unknown };

/** What `/stats/me` and `/trends/global` answer before the runners have written anything. */
export type Computed<T> = { readonly state: "ready"; readonly value: T } | { readonly state: "not_computed" };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The most helpful sentence in an error body: the API names the failing fields. */
const messageOf = (status: number, body: unknown): string => {
  if (isRecord(body)) {
    const error = body as Partial<typeof ErrorBody.Encoded>;
    if (Array.isArray(error.issues) && error.issues.length > 0) {
      return error.issues
        .map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message))
        .join("; ");
    }
    if (typeof error.message === "string" && error.message) {
      return error.error_id ? `${error.message} (error id ${error.error_id})` : error.message;
    }
  }
  if (status === 0) return "The server cannot be reached. Is it running?";
  if (status === 401) return "Please log in again.";
  if (status === 429) return "Too many attempts; wait a moment and try again.";
  return `The server answered ${status}.`;
};

export interface RequestOptions {
  readonly method?: "GET" | "POST" | "PATCH" | "DELETE";
  readonly body?: unknown;
  /** A file sent as it is (an upload), instead of a JSON `body`. */
  readonly file?: Blob;
  readonly token?: string | null;
  readonly signal?: AbortSignal;
}

// Whether the last request reached the server, for the header's badge: polling alone cannot tell a
// quiet server from one that is gone.
let reachable = true;
const reachabilityListeners = new Set<(reachable: boolean) => void>();
const noteReachable = (next: boolean) => {
  if (next === reachable) return;
  reachable = next;
  for (const listener of reachabilityListeners) listener(next);
};
/** Calls `listener` whenever requests start or stop reaching the server; returns the unsubscribe. */
export const onReachability = (listener: (reachable: boolean) => void): (() => void) => {
  reachabilityListeners.add(listener);
  return () => reachabilityListeners.delete(listener);
};

export const request = async <T>(path: string, options: RequestOptions = {}): Promise<ApiResult<T>> => {
  const headers: Record<string, string> = { accept: "application/json" };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (options.file !== undefined) headers["content-type"] = options.file.type || "application/octet-stream";
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? "GET",
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      ...(options.file === undefined ? {} : { body: options.file }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === "AbortError") {
      return { ok: false, status: -1, message: "aborted", body: undefined };
    }
    noteReachable(false);
    return { ok: false, status: 0, message: messageOf(0, undefined), body: undefined };
  }
  // A proxy in front of a stopped API answers 502-504 itself: that is unreachable too.
  noteReachable(response.status < 502 || response.status > 504);
  const text = await response.text().catch(() => "");
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return response.ok
    ? { ok: true, status: response.status, value: body as T }
    : { ok: false, status: response.status, message: messageOf(response.status, body), body };
};

const map = <A, B>(result: ApiResult<A>, f: (a: A) => B): ApiResult<B> =>
  result.ok ? { ok: true, status: result.status, value: f(result.value) } : result;

// ---- accounts ----------------------------------------------------------------------------------

export interface Session {
  readonly token: string;
  /** The account's email, shown in the header. */
  readonly email: string;
  readonly expires_at?: string;
}

type AuthTokenWire = typeof AuthToken.Encoded;
const toSession = (body: AuthTokenWire): Session => ({
  token: body.token,
  email: body.email,
  expires_at: body.expires_at,
});

export const signUp = async (email: string, password: string): Promise<ApiResult<Session>> =>
  map(await request<AuthTokenWire>("/auth/signup", { method: "POST", body: { email, password } }), toSession);

export const logIn = async (email: string, password: string): Promise<ApiResult<Session>> =>
  map(await request<AuthTokenWire>("/auth/login", { method: "POST", body: { email, password } }), toSession);

// ---- catalog and my films ----------------------------------------------------------------------

export const SEARCH_LIMIT = 8;

export const searchCatalog = async (
  q: string,
  signal?: AbortSignal,
): Promise<ApiResult<ReadonlyArray<FilmWire>>> =>
  map(
    await request<typeof CatalogSearchResponse.Encoded>(
      `/catalog/search?q=${encodeURIComponent(q)}&limit=${SEARCH_LIMIT}`,
      signal ? { signal } : {},
    ),
    (body) => body.results.map((match) => match.film),
  );

export type AddOutcome =
  | { readonly kind: "added"; readonly entry: EntryWire }
  | { readonly kind: "already_present"; readonly entry: EntryWire }
  | { readonly kind: "ambiguous"; readonly candidates: ReadonlyArray<FilmWire> };

export const addFilm = async (
  token: string,
  input: { readonly movie_id: string; readonly rating?: number; readonly watched_at?: string },
): Promise<ApiResult<AddOutcome>> => {
  const result = await request<typeof AddMovieResponse.Encoded>("/movies", {
    method: "POST",
    body: input,
    token,
  });
  if (!result.ok) {
    const body = result.body as Partial<typeof ErrorBody.Encoded> | undefined;
    if (result.status === 409 && Array.isArray(body?.candidates)) {
      return {
        ok: true,
        status: 409,
        value: { kind: "ambiguous", candidates: body.candidates.map((match) => match.film) },
      };
    }
    return result;
  }
  return { ok: true, status: result.status, value: { kind: result.value.status, entry: result.value.entry } };
};

export const changeFilm = (
  token: string,
  movieId: string,
  change: typeof UpdateMovieRequest.Encoded,
): Promise<ApiResult<unknown>> =>
  request(`/movies/${encodeURIComponent(movieId)}`, { method: "PATCH", body: change, token });

export const removeFilm = (token: string, movieId: string): Promise<ApiResult<unknown>> =>
  request(`/movies/${encodeURIComponent(movieId)}`, { method: "DELETE", token });

export const listFilms = async (
  token: string,
  offset: number,
  limit: number,
): Promise<ApiResult<Page<EntryWire>>> =>
  map(
    await request<typeof MoviesPage.Encoded>(`/movies?offset=${offset}&limit=${limit}`, { token }),
    (body): Page<EntryWire> => ({
      items: body.items,
      total: body.total,
      offset: body.offset,
      limit: body.limit,
    }),
  );

// ---- statistics and trends ---------------------------------------------------------------------

export const myStats = async (token: string): Promise<ApiResult<Computed<StatsDocumentWire>>> =>
  map(await request<typeof MyStatsResponse.Encoded>("/stats/me", { token }), (body) =>
    body.status === "ready"
      ? {
          state: "ready",
          value: { user_id: body.user_id, stats: body.stats, last_updated: body.last_updated },
        }
      : { state: "not_computed" },
  );

type TrendsResponseWire = TrendsWire | { readonly status: "not_computed_yet"; readonly message: string };

export const globalTrends = async (window: TrendWindow): Promise<ApiResult<Computed<TrendsWire>>> =>
  map(await request<TrendsResponseWire>(`/trends/global?window=${window}`), (body) =>
    "status" in body ? { state: "not_computed" } : { state: "ready", value: body },
  );

// ---- history import ----------------------------------------------------------------------------

export type ImportReportWire = typeof ImportReport.Encoded;
export type { ImportSource };

/** Uploads an export; the answer names the report to follow. */
export const startImport = async (
  token: string,
  source: ImportSource,
  file: File,
): Promise<ApiResult<typeof ImportAccepted.Encoded>> => {
  // Browsers label a CSV or JSON file inconsistently (or not at all); the API reads the content.
  const type = /\.zip$/iu.test(file.name)
    ? "application/zip"
    : /\.csv$/iu.test(file.name)
      ? "text/csv"
      : /\.json$/iu.test(file.name)
        ? "application/json"
        : file.type;
  return request(`/imports/${source}`, { method: "POST", file: new Blob([file], { type }), token });
};

export const importReport = (token: string, reportUrl: string): Promise<ApiResult<ImportReportWire>> =>
  request(reportUrl, { token });
