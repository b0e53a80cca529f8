import type { StatsWire } from "../../api.ts";
import { BarListCard, CardOrEmpty } from "../../components/cards.tsx";
import { Card, Columns } from "../../components/charts.tsx";
import {
  DIRECTORS_HINT,
  formatDate,
  formatPercent,
  formatRating,
  ordinal,
  plural,
  ratingHistogram,
} from "../../view/format.ts";
import { FilmRows } from "./film-rows.tsx";
import { PeriodChart } from "./period-chart.tsx";

const missingNote = (s: StatsWire): string | null => {
  const m = s.missing_data;
  const parts = [
    m.without_runtime ? `${plural(m.without_runtime, "film")} without a runtime (left out of the hours)` : "",
    m.without_genres ? `${plural(m.without_genres, "film")} without genres` : "",
    m.without_directors ? `${plural(m.without_directors, "film")} without directors` : "",
    m.without_actors ? `${plural(m.without_actors, "film")} without actors` : "",
    m.without_year ? `${plural(m.without_year, "film")} without a year (left out of the decades)` : "",
  ].filter(Boolean);
  return parts.length ? `Some figures are incomplete: ${parts.join("; ")}.` : null;
};

const DirectorsTable = ({ directors }: { readonly directors: StatsWire["best_rated_directors"] }) => (
  <table class="table">
    <thead>
      <tr>
        <th scope="col">Director</th>
        <th scope="col" class="num">
          Average
        </th>
        <th scope="col" class="num">
          Films
        </th>
      </tr>
    </thead>
    <tbody>
      {directors.map((d) => (
        <tr key={d.director}>
          <th scope="row">{d.director}</th>
          <td class="num">{formatRating(Math.round(d.avg_rating * 10) / 10)}</td>
          <td class="num">{d.count}</td>
        </tr>
      ))}
    </tbody>
  </table>
);

const StreakAndMilestones = ({ s }: { readonly s: StatsWire }) => (
  <Card title="Streak and milestones" id="milestones">
    <p>
      Longest streak: <strong>{plural(s.longest_streak.days, "day")}</strong> in a row
      {s.longest_streak.start && s.longest_streak.end && s.longest_streak.days > 1
        ? ` (${formatDate(s.longest_streak.start)} – ${formatDate(s.longest_streak.end)})`
        : s.longest_streak.start && s.longest_streak.days === 1
          ? ` (${formatDate(s.longest_streak.start)})`
          : ""}
      .
    </p>
    {s.milestones.length === 0 ? (
      <p class="muted">Your 1st, 10th, 50th… film will be marked here.</p>
    ) : (
      <ol class="milestones" aria-label="Milestones">
        {s.milestones.map((m) => (
          <li key={m.milestone}>
            <span class="milestone-badge">{ordinal(m.milestone)}</span>
            <span>
              {m.film.title}
              <span class="muted"> · {formatDate(m.film.watched_at)}</span>
            </span>
          </li>
        ))}
      </ol>
    )}
  </Card>
);

/** Every card of the statistics screen, for a user with at least one film. */
export const StatsDetail = ({ s }: { readonly s: StatsWire }) => {
  const note = missingNote(s);
  const histogram = ratingHistogram(s.rating_chart_data);
  return (
    <>
      {note ? <p class="notice">{note}</p> : null}
      <div class="grid">
        <CardOrEmpty
          title="Ratings"
          id="ratings"
          wide
          empty={
            s.rated_count === 0 &&
            "You have not rated any film yet. Rate one in My films to see how you rate."
          }
        >
          <p class="muted small">
            {plural(s.rated_count, "rated film")}, average{" "}
            {s.avg_rating === null ? "–" : formatRating(Math.round(s.avg_rating * 10) / 10)} / 10
          </p>
          <Columns
            label="How many films got each rating"
            data={histogram.map((bin) => ({
              key: String(bin.rating),
              label: Number.isInteger(bin.rating) ? String(bin.rating) : "·",
              minor: !Number.isInteger(bin.rating),
              value: bin.count,
              description: `rated ${formatRating(bin.rating)}: ${plural(bin.count, "film")}`,
            }))}
          />
        </CardOrEmpty>
        <BarListCard
          title="Genres"
          id="genres"
          label="Genres of my films"
          empty="No genres known for your films yet."
          data={s.genre_data.map((g) => ({
            key: g.genre,
            label: g.genre,
            value: g.count,
            display: formatPercent(g.percentage),
            description: `${plural(g.count, "film")}, ${formatPercent(g.percentage)}`,
          }))}
        />
        <CardOrEmpty
          title="Per year"
          id="per-year"
          empty={s.films_per_year.length === 0 && "No watch dates yet."}
        >
          <PeriodChart data={s.films_per_year} label="Films per year" unit="year" />
        </CardOrEmpty>
        <CardOrEmpty
          title="Per month"
          id="per-month"
          wide
          empty={s.films_per_month.length === 0 && "No watch dates yet."}
        >
          <PeriodChart data={s.films_per_month} label="Films per month" unit="month" />
        </CardOrEmpty>
        <CardOrEmpty
          title="Decades"
          id="decades"
          empty={s.decades.length === 0 && "None of your films has a release year."}
        >
          <Columns
            label="Films by decade of release"
            data={s.decades.map((d) => ({
              key: String(d.decade),
              label: `${String(d.decade).slice(2)}s`,
              value: d.count,
              description: `the ${d.decade}s: ${plural(d.count, "film")}`,
            }))}
          />
        </CardOrEmpty>
        <CardOrEmpty
          title="Weekdays"
          id="weekdays"
          empty={s.weekdays.every((w) => w.count === 0) && "No watch dates yet."}
        >
          <Columns
            label="Films by day of the week watched"
            data={s.weekdays.map((w) => ({
              key: w.weekday,
              label: w.weekday.slice(0, 3),
              value: w.count,
              description: `${w.weekday}: ${plural(w.count, "film")}`,
            }))}
          />
        </CardOrEmpty>
        <CardOrEmpty
          title="Top rated"
          id="top-rated"
          empty={s.top_rated_movies.length === 0 && "Rate films to see your favourites here."}
        >
          <FilmRows films={s.top_rated_movies} show="rating" label="My top rated films" />
        </CardOrEmpty>
        <CardOrEmpty
          title="Recently watched"
          id="recent"
          empty={s.recent_movies.length === 0 && "Nothing watched yet."}
        >
          <FilmRows films={s.recent_movies} show="date" label="My recently watched films" />
        </CardOrEmpty>
        <CardOrEmpty
          title="Best-rated directors"
          id="directors"
          empty={s.best_rated_directors.length === 0 && DIRECTORS_HINT}
        >
          <DirectorsTable directors={s.best_rated_directors} />
        </CardOrEmpty>
        <BarListCard
          title="Most-watched actors"
          id="actors"
          label="Actors in most of my films"
          empty="No cast known for your films yet."
          data={s.most_watched_actors.map((a) => ({
            key: a.actor,
            label: a.actor,
            value: a.count,
            description: plural(a.count, "film"),
          }))}
        />
        <StreakAndMilestones s={s} />
      </div>
    </>
  );
};
