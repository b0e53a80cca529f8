import type { StatsWire } from "../../api.ts";
import { Poster } from "../../components/charts.tsx";
import { formatDate, formatRating } from "../../view/format.ts";

/** A short list of films: with their rating (top rated) or their watch date (recent). */
export const FilmRows = ({
  films,
  show,
  label,
}: {
  readonly films: StatsWire["top_rated_movies"];
  readonly show: "rating" | "date";
  readonly label: string;
}) => (
  <ol class="film-rows" aria-label={label}>
    {films.map((film) => (
      <li key={film.movie_id}>
        <Poster movieId={film.movie_id} title={film.title} path={film.poster_path} size="tiny" />
        <span class="film-main">
          <span class="film-title">
            {film.title}
            {film.year ? <span class="muted"> ({film.year})</span> : null}
          </span>
          <span class="muted">
            {show === "rating"
              ? `watched ${formatDate(film.watched_at)}`
              : film.rating !== undefined
                ? `rated ${formatRating(film.rating)}`
                : "not rated"}
          </span>
        </span>
        <span class="film-side">
          {show === "rating" && film.rating !== undefined
            ? `${formatRating(film.rating)} / 10`
            : formatDate(film.watched_at)}
        </span>
      </li>
    ))}
  </ol>
);
