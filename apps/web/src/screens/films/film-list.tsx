import { useEffect, useRef, useState } from "preact/hooks";
import {
  addFilm,
  changeFilm,
  type EntryWire,
  listFilms,
  type Page,
  removeFilm,
  type Session,
} from "../../api.ts";
import { LoadFailed, Loading } from "../../components/cards.tsx";
import { Empty, Poster } from "../../components/charts.tsx";
import { formatDate, formatRating, pageInfo } from "../../view/format.ts";
import { filmLabel, type Say } from "./messages.ts";
import { RatingSelect } from "./rating-select.tsx";

const PAGE_SIZE = 10;

/** The user's films, a page at a time, each with its rating to change and a button to remove it. */
export const FilmList = ({
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
    // Undo adds it back as it was (rating and date watched); it counts as added again from now.
    say(`Removed ${filmLabel(entry.movie)} from your films.`, false, {
      label: "Undo",
      run: () => restore(entry),
    });
    onChanged();
  };

  const restore = async (entry: EntryWire) => {
    const result = await addFilm(session.token, {
      movie_id: entry.movie.movie_id,
      ...(entry.rating === undefined || entry.rating === null ? {} : { rating: entry.rating }),
      watched_at: entry.watched_at,
    });
    if (!result.ok) {
      if (result.status === 401) onUnauthorized();
      say(`Could not put ${filmLabel(entry.movie)} back: ${result.message}`, true);
      return;
    }
    say(`Put ${filmLabel(entry.movie)} back in your films.`);
    onChanged();
  };

  const info = page ? pageInfo(page.offset, page.limit, page.items.length, page.total) : null;
  return (
    <section class="card" aria-labelledby="list-title">
      <h3 id="list-title">Watched</h3>
      {error ? <LoadFailed what="your films" message={error} /> : null}
      {page === null && !error ? <Loading what="your films" /> : null}
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
                  <span class="muted">
                    Watched {formatDate(entry.watched_at)}
                    {film.runtime_minutes === undefined ? (
                      <span data-testid="no-runtime"> · running time unknown, not counted in your hours</span>
                    ) : null}
                  </span>
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
