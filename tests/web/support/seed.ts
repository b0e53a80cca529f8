/**
 * Fills a product with users and films over plain HTTP (the API, not the browser), so screenshots
 * show a lived-in dashboard. Films are added by title and year, through the catalog matcher.
 */
import { PASSWORD } from "./flow.ts";

export interface SeedFilm {
  readonly title: string;
  readonly year?: number;
  readonly rating?: number;
  /** Days before today it was watched. */
  readonly daysAgo: number;
}

const call = async (baseURL: string, path: string, init: RequestInit & { token?: string } = {}) => {
  const response = await fetch(`${baseURL}${path}`, {
    ...init,
    headers: {
      "content-type": "application/json",
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
};

export const signUpOverHttp = async (baseURL: string, email: string): Promise<string> => {
  const { status, body } = await call(baseURL, "/auth/signup", {
    method: "POST",
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  const token = (body as { token?: unknown } | undefined)?.token;
  if (status >= 300 || typeof token !== "string") {
    throw new Error(`sign up of ${email} answered ${status}: ${JSON.stringify(body)}`);
  }
  return token;
};

const isoDaysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

/** Adds each film by title; returns the movie ids that were added, in order. */
export const addFilmsOverHttp = async (
  baseURL: string,
  token: string,
  films: ReadonlyArray<SeedFilm>,
): Promise<ReadonlyArray<string>> => {
  const ids: string[] = [];
  for (const film of films) {
    const details = {
      ...(film.rating ? { rating: film.rating } : {}),
      watched_at: isoDaysAgo(film.daysAgo),
    };
    let { status, body } = await call(baseURL, "/movies", {
      method: "POST",
      token,
      body: JSON.stringify({ title: film.title, ...(film.year ? { year: film.year } : {}), ...details }),
    });
    // Several films answer to the title: take the matcher's best candidate, as a person would.
    const best = (body as { candidates?: ReadonlyArray<{ film: { movie_id: string } }> } | undefined)
      ?.candidates?.[0];
    if (status === 409 && best) {
      ({ status, body } = await call(baseURL, "/movies", {
        method: "POST",
        token,
        body: JSON.stringify({ movie_id: best.film.movie_id, ...details }),
      }));
    }
    if (status !== 201 && status !== 200) {
      throw new Error(`adding "${film.title}" answered ${status}: ${JSON.stringify(body)}`);
    }
    ids.push((body as { entry: { movie: { movie_id: string } } }).entry.movie.movie_id);
  }
  return ids;
};

/** A film lover's year: genres, decades, directors and weekdays enough for every chart to have a shape. */
export const CINEPHILE: ReadonlyArray<SeedFilm> = [
  { title: "Fight Club", year: 1999, rating: 9, daysAgo: 2 },
  { title: "The Matrix", year: 1999, rating: 8.5, daysAgo: 3 },
  { title: "Inception", year: 2010, rating: 9, daysAgo: 4 },
  { title: "The Dark Knight", year: 2008, rating: 9.5, daysAgo: 11 },
  { title: "Memento", year: 2001, rating: 8, daysAgo: 12 },
  { title: "Spirited Away", rating: 10, daysAgo: 13 },
  { title: "WALL-E", year: 2008, rating: 8, daysAgo: 40 },
  { title: "Ratatouille", year: 2007, rating: 7.5, daysAgo: 41 },
  { title: "Fargo", year: 1996, rating: 8.5, daysAgo: 75 },
  { title: "The Big Lebowski", year: 1998, rating: 9, daysAgo: 76 },
  { title: "Lost in Translation", year: 2003, rating: 7, daysAgo: 120 },
  { title: "Juno", year: 2007, rating: 6.5, daysAgo: 160 },
  { title: "Slumdog Millionaire", year: 2008, rating: 7, daysAgo: 200 },
  { title: "The Departed", year: 2006, rating: 8.5, daysAgo: 260 },
  { title: "Gladiator", year: 2000, rating: 6, daysAgo: 330 },
  { title: "Titanic", year: 1997, rating: 5.5, daysAgo: 400 },
  { title: "Casablanca", daysAgo: 420 },
];

/** Other people's recent films, so the community trends have a top 10 with different counts. */
export const CROWD: ReadonlyArray<ReadonlyArray<SeedFilm>> = [
  [
    { title: "Inception", year: 2010, daysAgo: 1 },
    { title: "The Dark Knight", year: 2008, daysAgo: 1 },
    { title: "Fight Club", year: 1999, daysAgo: 2 },
    { title: "Finding Nemo", year: 2003, daysAgo: 3 },
  ],
  [
    { title: "Inception", year: 2010, daysAgo: 2 },
    { title: "Spirited Away", daysAgo: 2 },
    { title: "The Matrix", year: 1999, daysAgo: 5 },
    { title: "Shrek", year: 2001, daysAgo: 6 },
  ],
  [
    { title: "Inception", year: 2010, daysAgo: 3 },
    { title: "The Dark Knight", year: 2008, daysAgo: 4 },
    { title: "Juno", year: 2007, daysAgo: 8 },
    { title: "Se7en", daysAgo: 9 },
    { title: "Kill Bill: Volume 1", daysAgo: 20 },
  ],
];
