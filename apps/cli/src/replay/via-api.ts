import { drive, firstFailureWarner, type Outcome } from "./drive.ts";
import type { ReplayEvent } from "./plan.ts";

// `--via api`: each user signs up (or logs in) once, then every rating is a POST /movies.

interface ApiSession {
  token: string;
}

const json = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

/** A client of the API that waits out 429s as their Retry-After says, and keeps one session per user. */
const apiClient = (apiUrl: string, doFetch: typeof fetch) => {
  const sessions = new Map<string, Promise<ApiSession>>();
  const call = async (path: string, init: RequestInit): Promise<Response> => {
    for (let attempt = 0; ; attempt++) {
      const response = await doFetch(new URL(path, apiUrl), init);
      if (response.status !== 429 || attempt >= 20) return response;
      const retryAfter = Number(response.headers.get("retry-after") ?? "1");
      await new Promise((resolve) => setTimeout(resolve, Math.max(0.1, retryAfter) * 1000));
    }
  };
  const session = (user_id: string) => {
    let found = sessions.get(user_id);
    if (found === undefined) {
      found = (async () => {
        const credentials = {
          email: `${user_id}@replay.cinematch.test`,
          password: `replay-${user_id}-password`,
        };
        let response = await call("/auth/signup", json(credentials));
        if (response.status === 409) response = await call("/auth/login", json(credentials));
        if (!response.ok)
          throw new Error(`sign up / log in of ${user_id}: HTTP ${response.status} ${await response.text()}`);
        return { token: ((await response.json()) as { token: string }).token };
      })();
      sessions.set(user_id, found);
    }
    return found;
  };
  return { call, session };
};

export const viaApi = async (
  events: ReadonlyArray<ReplayEvent>,
  apiUrl: string,
  doFetch: typeof fetch,
  concurrency: number,
  rate: number,
  onDone: (outcome: Outcome) => void,
  warn: (text: string) => void,
) => {
  const { call, session } = apiClient(apiUrl, doFetch);
  const failed = firstFailureWarner(warn);
  await drive(
    events,
    concurrency,
    rate,
    async (event) => {
      try {
        const { token } = await session(event.user_id);
        const response = await call("/movies", {
          ...json({
            movie_id: event.movie.movie_id,
            rating: event.rating,
            watched_at: new Date(event.at).toISOString(),
          }),
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        });
        if (response.status === 201) return "added";
        if (response.status === 200) return "already_present";
        throw new Error(
          `POST /movies ${event.movie.movie_id}: HTTP ${response.status} ${await response.text()}`,
        );
      } catch (cause) {
        return failed(`replay: ${(cause as Error).message}; counting the others`);
      }
    },
    onDone,
  );
};
