/** A JSON answer of the API, read loosely: tests assert on what they need of it. */
export interface ApiAnswer {
  readonly status: number;
  /** From sending the request to having read the whole body. */
  readonly ms: number;
  readonly retryAfter: string | null;
  // biome-ignore lint/suspicious/noExplicitAny: assertions read the answers loosely.
  readonly body: any;
}

/** One JSON request to the API at `baseURL`, as the given bearer token (or none). Never retries. */
export const callApi = async (
  baseURL: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<ApiAnswer> => {
  const headers: Record<string, string> = { accept: "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const started = performance.now();
  const response = await fetch(`${baseURL}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    ms: performance.now() - started,
    retryAfter: response.headers.get("retry-after"),
    body: text ? JSON.parse(text) : undefined,
  };
};

/** `callApi` bound to an API whose address is known only once its server started (read on every call). */
export const apiClient =
  (baseURL: () => string) =>
  (method: string, path: string, token?: string, body?: unknown): Promise<ApiAnswer> =>
    callApi(baseURL(), method, path, token, body);
