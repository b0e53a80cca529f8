/**
 * The HTTP API as the dashboard uses it. Shapes are the domain schemas' wire (encoded) forms,
 * imported as types only, so none of Effect ends up in the bundle. Every call answers with a
 * result value, never a thrown error: the screens show `message` and carry on.
 */
import type { Film, GlobalStatsDocument, TrendWindow, UserStatsDocument } from "@cinematch/domain";

export type FilmWire = typeof Film.Encoded;
export type TrendsWire = typeof GlobalStatsDocument.Encoded;
export type StatsDocumentWire = typeof UserStatsDocument.Encoded;
export type StatsWire = StatsDocumentWire["stats"];
export type { TrendWindow };

export interface EntryWire {
  readonly movie: FilmWire;
  readonly rating?: number;
  readonly watched_at: string;
  readonly added_at?: string;
}

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
    const issues = body.issues;
    if (Array.isArray(issues) && issues.length > 0) {
      return issues
        .map((issue) =>
          isRecord(issue)
            ? [issue.path, issue.message].filter((s) => typeof s === "string" && s).join(": ")
            : "",
        )
        .filter(Boolean)
        .join("; ");
    }
    for (const key of ["message", "error", "detail"]) {
      const text = body[key];
      if (typeof text === "string" && text) return text;
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
  readonly token?: string | null;
  readonly signal?: AbortSignal;
}

export const request = async <T>(path: string, options: RequestOptions = {}): Promise<ApiResult<T>> => {
  const headers: Record<string, string> = { accept: "application/json" };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? "GET",
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === "AbortError") {
      return { ok: false, status: -1, message: "aborted", body: undefined };
    }
    return { ok: false, status: 0, message: messageOf(0, undefined), body: undefined };
  }
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

const toSession = (email: string, body: unknown): Session => {
  const record = isRecord(body) ? body : {};
  const token = typeof record.token === "string" ? record.token : String(record.access_token ?? "");
  const expires = record.expires_at;
  return { token, email, ...(typeof expires === "string" ? { expires_at: expires } : {}) };
};

export const signUp = async (email: string, password: string): Promise<ApiResult<Session>> =>
  map(await request<unknown>("/auth/signup", { method: "POST", body: { email, password } }), (body) =>
    toSession(email, body),
  );

export const logIn = async (email: string, password: string): Promise<ApiResult<Session>> =>
  map(await request<unknown>("/auth/login", { method: "POST", body: { email, password } }), (body) =>
    toSession(email, body),
  );

// ---- catalog and my films ----------------------------------------------------------------------

export const searchCatalog = async (
  q: string,
  signal?: AbortSignal,
): Promise<ApiResult<ReadonlyArray<FilmWire>>> =>
  map(
    await request<unknown>(`/catalog/search?q=${encodeURIComponent(q)}&limit=8`, signal ? { signal } : {}),
    (body) => {
      if (Array.isArray(body)) return body as ReadonlyArray<FilmWire>;
      if (isRecord(body)) {
        const list = body.results ?? body.items ?? body.films;
        if (Array.isArray(list)) {
          return list.map((hit) =>
            isRecord(hit) && isRecord(hit.film) ? (hit.film as FilmWire) : (hit as FilmWire),
          );
        }
      }
      return [];
    },
  );

export type AddOutcome =
  | { readonly kind: "added"; readonly entry: EntryWire | undefined }
  | { readonly kind: "already_present" }
  | { readonly kind: "ambiguous"; readonly candidates: ReadonlyArray<FilmWire> };

export const addFilm = async (
  token: string,
  input: { readonly movie_id: string; readonly rating?: number; readonly watched_at?: string },
): Promise<ApiResult<AddOutcome>> => {
  const result = await request<unknown>("/movies", { method: "POST", body: input, token });
  if (!result.ok) {
    if (result.status === 409 && isRecord(result.body) && Array.isArray(result.body.candidates)) {
      return {
        ok: true,
        status: 409,
        value: { kind: "ambiguous", candidates: result.body.candidates as ReadonlyArray<FilmWire> },
      };
    }
    return result;
  }
  if (isRecord(result.value) && result.value.status === "already_present") {
    return { ok: true, status: result.status, value: { kind: "already_present" } };
  }
  const entry =
    isRecord(result.value) && isRecord(result.value.movie)
      ? (result.value as unknown as EntryWire)
      : undefined;
  return { ok: true, status: result.status, value: { kind: "added", entry } };
};

export const changeFilm = (
  token: string,
  movieId: string,
  change: { readonly rating?: number | null; readonly watched_at?: string },
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
    await request<unknown>(`/movies?offset=${offset}&limit=${limit}`, { token }),
    (body): Page<EntryWire> => {
      if (Array.isArray(body))
        return { items: body as ReadonlyArray<EntryWire>, total: undefined, offset, limit };
      const record = isRecord(body) ? body : {};
      const items = (record.items ?? record.movies ?? record.entries ?? []) as ReadonlyArray<EntryWire>;
      const total = typeof record.total === "number" ? record.total : undefined;
      return { items, total, offset, limit };
    },
  );

// ---- statistics and trends ---------------------------------------------------------------------

const notComputed = (body: unknown): boolean =>
  isRecord(body) &&
  (body.status === "not_computed" || body.status === "not_computed_yet" || body.computed === false);

export const myStats = async (token: string): Promise<ApiResult<Computed<StatsDocumentWire>>> => {
  const result = await request<unknown>("/stats/me", { token });
  if (!result.ok)
    return result.status === 404 ? { ok: true, status: 404, value: { state: "not_computed" } } : result;
  if (notComputed(result.value) || !isRecord(result.value) || !isRecord(result.value.stats)) {
    return { ok: true, status: result.status, value: { state: "not_computed" } };
  }
  return {
    ok: true,
    status: result.status,
    value: { state: "ready", value: result.value as unknown as StatsDocumentWire },
  };
};

export const globalTrends = async (window: TrendWindow): Promise<ApiResult<Computed<TrendsWire>>> => {
  const result = await request<unknown>(`/trends/global?window=${window}`);
  if (!result.ok)
    return result.status === 404 ? { ok: true, status: 404, value: { state: "not_computed" } } : result;
  if (notComputed(result.value) || !isRecord(result.value) || !Array.isArray(result.value.top_movies)) {
    return { ok: true, status: result.status, value: { state: "not_computed" } };
  }
  return {
    ok: true,
    status: result.status,
    value: { state: "ready", value: result.value as unknown as TrendsWire },
  };
};
