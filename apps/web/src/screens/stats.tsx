import { useState } from "preact/hooks";
import type { StatsDocumentWire, StatsWire } from "../api.ts";
import { BarList, Card, Columns, Empty, Poster, Segmented } from "../components/charts.tsx";
import { useNow } from "../hooks.ts";
import {
  formatDate,
  formatHours,
  formatPercent,
  fillPeriods,
  formatRating,
  lastN,
  ordinal,
  periodLabel,
  plural,
  ratingHistogram,
  timeAgo,
} from "../view/format.ts";

export type StatsState =
  | { readonly kind: "loading" }
  | { readonly kind: "error"; readonly message: string }
  | { readonly kind: "not_computed" }
  | { readonly kind: "ready"; readonly doc: StatsDocumentWire };

const NotComputed = () => (
  <Empty>
    Your statistics have not been computed yet. They appear here a few seconds after you{" "}
    <a href="#/films">add your first film</a>.
  </Empty>
);

/** The headline figures; also shown, compact, above "My films" so an add is seen to count. */
export const StatsSummary = ({
  stats,
  compact = false,
}: {
  readonly stats: StatsState;
  readonly compact?: boolean;
}) => {
  if (stats.kind === "loading") return <p class="muted">Loading your statistics…</p>;
  if (stats.kind === "error") {
    return (
      <p class="notice error" role="alert">
        Could not load your statistics: {stats.message}
      </p>
    );
  }
  if (stats.kind === "not_computed") return compact ? null : <NotComputed />;
  const s = stats.doc.stats;
  const figures: ReadonlyArray<readonly [string, string, string]> = [
    ["total-watched", "Films watched", s.total_watched.toLocaleString("en")],
    [
      "avg-rating",
      "Average rating",
      s.avg_rating === null ? "–" : formatRating(Math.round(s.avg_rating * 10) / 10),
    ],
    ["watch-time", "Watch time", formatHours(s.watch_time_hours)],
    ["favorite-genre", "Favourite genre", s.favorite_genre ?? "–"],
  ];
  return (
    <dl
      class={compact ? "summary compact" : "summary"}
      aria-label="My statistics in short"
      data-testid="stats-summary"
    >
      {figures.map(([key, label, value]) => (
        <div key={key}>
          <dt>{label}</dt>
          <dd data-testid={`stat-${key}`}>{value}</dd>
        </div>
      ))}
      {compact ? null : (
        <>
          <div>
            <dt>Rated</dt>
            <dd data-testid="stat-rated">{s.rated_count.toLocaleString("en")}</dd>
          </div>
          <div>
            <dt>Longest streak</dt>
            <dd data-testid="stat-streak">{plural(s.longest_streak.days, "day")}</dd>
          </div>
        </>
      )}
    </dl>
  );
};

export const StatsScreen = ({ stats }: { readonly stats: StatsState }) => {
  const now = useNow(5_000);
  return (
    <section class="screen" aria-labelledby="stats-title">
      <div class="screen-head">
        <h2 id="stats-title" tabIndex={-1}>
          My statistics
        </h2>
        {stats.kind === "ready" ? (
          <p class="muted" data-testid="stats-updated">
            Updated <time dateTime={stats.doc.last_updated}>{timeAgo(stats.doc.last_updated, now)}</time>
          </p>
        ) : null}
      </div>
      <StatsSummary stats={stats} />
      {stats.kind === "ready" ? (
        stats.doc.stats.total_watched === 0 ? (
          <Empty>
            Your list is empty, so there is nothing to count yet.{" "}
            <a href="#/films">Add a film you have seen</a> and your statistics fill in here within seconds.
          </Empty>
        ) : (
          <StatsDetail s={stats.doc.stats} />
        )
      ) : null}
    </section>
  );
};

const FilmRows = ({
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

const PeriodChart = ({
  data,
  label,
  unit,
}: {
  readonly data: StatsWire["films_per_year"];
  readonly label: string;
  readonly unit: "year" | "month";
}) => {
  const [measure, setMeasure] = useState<"films" | "hours">("films");
  const axis = fillPeriods(data);
  const shown = unit === "month" ? lastN(axis, 24) : axis;
  return (
    <>
      <Segmented
        label={`Show ${label.toLowerCase()} as`}
        options={[
          { value: "films", label: "Films" },
          { value: "hours", label: "Hours" },
        ]}
        value={measure}
        onChange={setMeasure}
      />
      <Columns
        label={label}
        showValues={shown.length <= 24}
        data={shown.map((p) => ({
          key: p.period,
          label: unit === "month" ? periodLabel(p.period).replace(/ (\d{2})(\d{2})$/, " ’$2") : p.period,
          value: measure === "films" ? p.films : p.hours,
          display: measure === "films" ? String(p.films) : formatHours(p.hours).replace(" h", ""),
          description: `${periodLabel(p.period)}: ${plural(p.films, "film")}, ${formatHours(p.hours)}`,
        }))}
      />
      {unit === "month" && axis.length > shown.length ? (
        <p class="muted small">The last 24 months; earlier films are counted in the yearly chart.</p>
      ) : null}
    </>
  );
};

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

const StatsDetail = ({ s }: { readonly s: StatsWire }) => {
  const note = missingNote(s);
  const histogram = ratingHistogram(s.rating_chart_data);
  return (
    <>
      {note ? <p class="notice">{note}</p> : null}
      <div class="grid">
        <Card title="Ratings" id="ratings" wide>
          {s.rated_count === 0 ? (
            <Empty>You have not rated any film yet. Rate one in My films to see how you rate.</Empty>
          ) : (
            <>
              <p class="muted small">
                {plural(s.rated_count, "rated film")}, average{" "}
                {s.avg_rating === null ? "–" : formatRating(Math.round(s.avg_rating * 10) / 10)} / 10
              </p>
              <Columns
                label="How many films got each rating"
                data={histogram.map((bin) => ({
                  key: String(bin.rating),
                  label: Number.isInteger(bin.rating) ? String(bin.rating) : "·",
                  value: bin.count,
                  description: `rated ${formatRating(bin.rating)}: ${plural(bin.count, "film")}`,
                }))}
              />
            </>
          )}
        </Card>
        <Card title="Genres" id="genres">
          {s.genre_data.length === 0 ? (
            <Empty>No genres known for your films yet.</Empty>
          ) : (
            <BarList
              label="Genres of my films"
              data={s.genre_data.map((g) => ({
                key: g.genre,
                label: g.genre,
                value: g.count,
                display: formatPercent(g.percentage),
                description: `${plural(g.count, "film")}, ${formatPercent(g.percentage)}`,
              }))}
            />
          )}
        </Card>
        <Card title="Per year" id="per-year">
          {s.films_per_year.length === 0 ? (
            <Empty>No watch dates yet.</Empty>
          ) : (
            <PeriodChart data={s.films_per_year} label="Films per year" unit="year" />
          )}
        </Card>
        <Card title="Per month" id="per-month" wide>
          {s.films_per_month.length === 0 ? (
            <Empty>No watch dates yet.</Empty>
          ) : (
            <PeriodChart data={s.films_per_month} label="Films per month" unit="month" />
          )}
        </Card>
        <Card title="Decades" id="decades">
          {s.decades.length === 0 ? (
            <Empty>None of your films has a release year.</Empty>
          ) : (
            <Columns
              label="Films by decade of release"
              data={s.decades.map((d) => ({
                key: String(d.decade),
                label: `${String(d.decade).slice(2)}s`,
                value: d.count,
                description: `the ${d.decade}s: ${plural(d.count, "film")}`,
              }))}
            />
          )}
        </Card>
        <Card title="Weekdays" id="weekdays">
          {s.weekdays.every((w) => w.count === 0) ? (
            <Empty>No watch dates yet.</Empty>
          ) : (
            <Columns
              label="Films by day of the week watched"
              data={s.weekdays.map((w) => ({
                key: w.weekday,
                label: w.weekday.slice(0, 3),
                value: w.count,
                description: `${w.weekday}: ${plural(w.count, "film")}`,
              }))}
            />
          )}
        </Card>
        <Card title="Top rated" id="top-rated">
          {s.top_rated_movies.length === 0 ? (
            <Empty>Rate films to see your favourites here.</Empty>
          ) : (
            <FilmRows films={s.top_rated_movies} show="rating" label="My top rated films" />
          )}
        </Card>
        <Card title="Recently watched" id="recent">
          {s.recent_movies.length === 0 ? (
            <Empty>Nothing watched yet.</Empty>
          ) : (
            <FilmRows films={s.recent_movies} show="date" label="My recently watched films" />
          )}
        </Card>
        <Card title="Best-rated directors" id="directors">
          {s.best_rated_directors.length === 0 ? (
            <Empty>Rate films with known directors to see them here.</Empty>
          ) : (
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
                {s.best_rated_directors.map((d) => (
                  <tr key={d.director}>
                    <th scope="row">{d.director}</th>
                    <td class="num">{formatRating(Math.round(d.avg_rating * 10) / 10)}</td>
                    <td class="num">{d.count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
        <Card title="Most-watched actors" id="actors">
          {s.most_watched_actors.length === 0 ? (
            <Empty>No cast known for your films yet.</Empty>
          ) : (
            <BarList
              label="Actors in most of my films"
              data={s.most_watched_actors.map((a) => ({
                key: a.actor,
                label: a.actor,
                value: a.count,
                description: plural(a.count, "film"),
              }))}
            />
          )}
        </Card>
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
      </div>
    </>
  );
};
