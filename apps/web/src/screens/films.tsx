import { useEffect, useRef, useState } from "preact/hooks";
import {
  addFilm,
  changeFilm,
  type EntryWire,
  type FilmWire,
  listFilms,
  type Page,
  removeFilm,
  type Session,
  searchCatalog,
} from "../api.ts";
import { Empty, Poster } from "../components/charts.tsx";
import { useDebounced } from "../hooks.ts";
import { formatDate, formatRating, localDateInput, pageInfo, RATING_STEPS } from "../view/format.ts";
import type { StatsState } from "./stats.tsx";
import { StatsSummary } from "./stats.tsx";

const PAGE_SIZE = 10;
const SEARCH_DEBOUNCE_MS = 250;

const filmLabel = (film: FilmWire) => (film.year ? `${film.title} (${film.year})` : film.title);

export const FilmsScreen = ({
  session,
  stats,
  refreshTick,
  onUnauthorized,
}: {
  readonly session: Session;
  readonly stats: StatsState;
  readonly refreshTick: number;
  readonly onUnauthorized: () => void;
}) => {
  const [status, setStatus] = useState<{ readonly text: string; readonly error: boolean } | null>(null);
  const [listVersion, setListVersion] = useState(0);
  const say = (text: string, error = false) => setStatus({ text, error });
  const changed = () => setListVersion((v) => v + 1);

  return (
    <section class="screen" aria-labelledby="films-title">
      <div class="screen-head">
        <h2 id="films-title" tabIndex={-1}>
          My films
        </h2>
        <a class="button" href="#/import">
          Import from Letterboxd or Trakt
        </a>
      </div>
      <StatsSummary stats={stats} compact />
      <p
        class={status?.error ? "notice error" : "status"}
        role="status"
        aria-live="polite"
        data-testid="films-status"
      >
        {status?.text ?? ""}
      </p>
      <div class="grid films-grid">
        <AddFilm session={session} say={say} onAdded={changed} onUnauthorized={onUnauthorized} />
        <FilmList
          session={session}
          say={say}
          version={listVersion + refreshTick}
          onChanged={changed}
          onUnauthorized={onUnauthorized}
        />
      </div>
    </section>
  );
};

type Say = (text: string, error?: boolean) => void;

const RatingSelect = ({
  id,
  value,
  onChange,
  label,
  disabled = false,
}: {
  readonly id: string;
  readonly value: number | undefined;
  readonly onChange: (rating: number | undefined) => void;
  /** An accessible name, when no visible <label for> names the select. */
  readonly label?: string;
  readonly disabled?: boolean;
}) => (
  <select
    id={id}
    aria-label={label}
    value={value === undefined ? "" : String(value)}
    disabled={disabled}
    onChange={(e) => {
      const raw = e.currentTarget.value;
      onChange(raw === "" ? undefined : Number(raw));
    }}
  >
    <option value="">No rating</option>
    {[...RATING_STEPS].reverse().map((step) => (
      <option key={step} value={String(step)}>
        {formatRating(step)} / 10
      </option>
    ))}
  </select>
);

const AddFilm = ({
  session,
  say,
  onAdded,
  onUnauthorized,
}: {
  readonly session: Session;
  readonly say: Say;
  readonly onAdded: () => void;
  readonly onUnauthorized: () => void;
}) => {
  const [query, setQuery] = useState("");
  const debounced = useDebounced(query.trim(), SEARCH_DEBOUNCE_MS);
  const [results, setResults] = useState<{
    readonly q: string;
    readonly films: ReadonlyArray<FilmWire>;
  } | null>(null);
  const [searching, setSearching] = useState(false);
  const [chosen, setChosen] = useState<FilmWire | null>(null);
  const [rating, setRating] = useState<number | undefined>(undefined);
  const [watchedAt, setWatchedAt] = useState(() => localDateInput(new Date()));
  const [busy, setBusy] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (debounced.length < 2) {
      setResults(null);
      return;
    }
    const controller = new AbortController();
    setSearching(true);
    searchCatalog(debounced, controller.signal).then((result) => {
      if (controller.signal.aborted) return;
      setSearching(false);
      if (result.ok) setResults({ q: debounced, films: result.value });
      else say(`Search failed: ${result.message}`, true);
    });
    return () => controller.abort();
  }, [debounced]);

  useEffect(() => {
    if (chosen) document.getElementById("add-rating")?.focus();
  }, [chosen]);

  const choose = (film: FilmWire) => {
    setChosen(film);
    setRating(undefined);
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!chosen) return;
    setBusy(true);
    const result = await addFilm(session.token, {
      movie_id: chosen.movie_id,
      ...(rating === undefined ? {} : { rating }),
      // Today is left to the server's clock ("now"): today's date at midnight UTC can lie in the
      // future for a viewer east of Greenwich, and a bare date means midnight UTC.
      ...(watchedAt && watchedAt !== localDateInput(new Date()) ? { watched_at: watchedAt } : {}),
    });
    setBusy(false);
    if (!result.ok) {
      if (result.status === 401) onUnauthorized();
      say(`Could not add ${filmLabel(chosen)}: ${result.message}`, true);
      return;
    }
    const outcome = result.value;
    if (outcome.kind === "already_present") say(`${filmLabel(chosen)} is already in your films.`);
    else if (outcome.kind === "ambiguous")
      say(`Several films match ${chosen.title}; pick one from the list.`, true);
    else say(`Added ${filmLabel(chosen)} to your films.`);
    setChosen(null);
    setQuery("");
    setResults(null);
    onAdded();
    searchRef.current?.focus();
  };

  const films = results?.films ?? [];
  return (
    <section class="card" aria-labelledby="add-title">
      <h3 id="add-title">Add a film</h3>
      <label class="stack-label">
        <span>Search the catalog</span>
        <input
          ref={searchRef}
          type="search"
          name="q"
          autoComplete="off"
          placeholder="Title, e.g. leon"
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
          aria-describedby="search-hint"
        />
      </label>
      <small id="search-hint" class="muted">
        Accents and small typos are fine.
      </small>
      {searching && !results ? <p class="muted">Searching…</p> : null}
      {results && films.length === 0 ? <Empty>No film in the catalog matches “{results.q}”.</Empty> : null}
      {films.length > 0 ? (
        <ul class="results" aria-label="Search results">
          {films.map((film) => (
            <li key={film.movie_id}>
              <button
                type="button"
                class={chosen?.movie_id === film.movie_id ? "result chosen" : "result"}
                aria-pressed={chosen?.movie_id === film.movie_id}
                onClick={() => choose(film)}
              >
                <Poster movieId={film.movie_id} title={film.title} path={film.poster_path} size="tiny" />
                <span>
                  <span class="result-title">{film.title}</span>
                  <span class="muted">
                    {[film.year, film.genres?.slice(0, 3).join(", ")].filter(Boolean).join(" · ")}
                  </span>
                </span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {chosen ? (
        <form class="add-form" onSubmit={submit} aria-label={`Add ${filmLabel(chosen)}`}>
          <p class="chosen-title">
            <strong>{filmLabel(chosen)}</strong>
          </p>
          <div class="row">
            <div class="stack-label">
              <label for="add-rating">Your rating</label>
              <RatingSelect id="add-rating" value={rating} onChange={setRating} />
            </div>
            <label class="stack-label">
              <span>Watched on</span>
              <input
                type="date"
                name="watched_at"
                value={watchedAt}
                max={localDateInput(new Date())}
                onInput={(e) => setWatchedAt(e.currentTarget.value)}
              />
            </label>
          </div>
          <div class="row">
            <button class="primary" type="submit" disabled={busy}>
              {busy ? "Adding…" : "Add to my films"}
            </button>
            <button type="button" onClick={() => setChosen(null)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
};

const FilmList = ({
  session,
  say,
  version,
  onChanged,
  onUnauthorized,
}: {
  readonly session: Session;
  readonly say: Say;
  readonly version: number;
  readonly onChanged: () => void;
  readonly onUnauthorized: () => void;
}) => {
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<Page<EntryWire> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState<string | null>(null);
  const latest = useRef(0);

  useEffect(() => {
    const id = ++latest.current;
    listFilms(session.token, offset, PAGE_SIZE).then((result) => {
      if (id !== latest.current) return;
      if (!result.ok) {
        if (result.status === 401) onUnauthorized();
        setError(result.message);
        return;
      }
      setError(null);
      // Removing the last film of a page: step back a page.
      if (result.value.items.length === 0 && offset > 0) setOffset(Math.max(0, offset - PAGE_SIZE));
      else setPage(result.value);
    });
  }, [session.token, offset, version]);

  const rate = async (entry: EntryWire, rating: number | undefined) => {
    setPending(entry.movie.movie_id);
    const result = await changeFilm(session.token, entry.movie.movie_id, { rating: rating ?? null });
    setPending(null);
    if (!result.ok) {
      if (result.status === 401) onUnauthorized();
      say(`Could not change the rating of ${filmLabel(entry.movie)}: ${result.message}`, true);
      return;
    }
    say(
      rating === undefined
        ? `Cleared your rating of ${filmLabel(entry.movie)}.`
        : `Rated ${filmLabel(entry.movie)} ${formatRating(rating)} / 10.`,
    );
    onChanged();
  };

  const remove = async (entry: EntryWire) => {
    setPending(entry.movie.movie_id);
    const result = await removeFilm(session.token, entry.movie.movie_id);
    setPending(null);
    if (!result.ok) {
      if (result.status === 401) onUnauthorized();
      say(`Could not remove ${filmLabel(entry.movie)}: ${result.message}`, true);
      return;
    }
    say(`Removed ${filmLabel(entry.movie)} from your films.`);
    onChanged();
  };

  const info = page ? pageInfo(page.offset, page.limit, page.items.length, page.total) : null;
  return (
    <section class="card" aria-labelledby="list-title">
      <h3 id="list-title">Watched</h3>
      {error ? (
        <p class="notice error" role="alert">
          Could not load your films: {error}
        </p>
      ) : null}
      {page === null && !error ? <p class="muted">Loading your films…</p> : null}
      {page && page.items.length === 0 ? (
        <Empty>Your list is empty. Search for a film you have seen and add it.</Empty>
      ) : null}
      {page && page.items.length > 0 ? (
        <ul class="film-list" data-testid="my-films">
          {page.items.map((entry) => {
            const film = entry.movie;
            return (
              <li key={film.movie_id} data-movie-id={film.movie_id}>
                <Poster movieId={film.movie_id} title={film.title} path={film.poster_path} size="tiny" />
                <span class="film-main">
                  <span class="film-title">{filmLabel(film)}</span>
                  <span class="muted">Watched {formatDate(entry.watched_at)}</span>
                </span>
                <RatingSelect
                  id={`rating-${film.movie_id}`}
                  label={`Rating for ${filmLabel(film)}`}
                  value={entry.rating}
                  disabled={pending === film.movie_id}
                  onChange={(rating) => rate(entry, rating)}
                />
                <button
                  type="button"
                  class="danger"
                  aria-label={`Remove ${filmLabel(film)}`}
                  disabled={pending === film.movie_id}
                  onClick={() => remove(entry)}
                >
                  Remove
                </button>
              </li>
            );
          })}
        </ul>
      ) : null}
      {info && (info.hasNext || info.hasPrevious) ? (
        <nav class="pager" aria-label="Pages of my films">
          <button type="button" disabled={!info.hasPrevious} onClick={() => setOffset(info.previousOffset)}>
            Previous
          </button>
          <span aria-live="polite">{info.label}</span>
          <button type="button" disabled={!info.hasNext} onClick={() => setOffset(info.nextOffset)}>
            Next
          </button>
        </nav>
      ) : info && page && page.items.length > 0 ? (
        <p class="muted pager-label">{info.label}</p>
      ) : null}
    </section>
  );
};
