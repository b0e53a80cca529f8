import { useEffect, useRef, useState } from "preact/hooks";
import { addFilm, type FilmWire, type Session, searchCatalog } from "../../api.ts";
import { Empty, Poster } from "../../components/charts.tsx";
import { useDebounced } from "../../hooks.ts";
import { localDateInput } from "../../view/format.ts";
import { filmLabel, type Say } from "./messages.ts";
import { RatingSelect } from "./rating-select.tsx";

const SEARCH_DEBOUNCE_MS = 250;

/** Search the catalog as you type, pick a film, rate it and say when you watched it. */
export const AddFilm = ({
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
