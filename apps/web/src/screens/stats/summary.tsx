import { Empty } from "../../components/charts.tsx";
import { LoadFailed, Loading } from "../../components/cards.tsx";
import type { StatsDocumentWire } from "../../api.ts";
import { formatHours, formatRating, plural } from "../../view/format.ts";

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
  if (stats.kind === "loading") return <Loading what="your statistics" />;
  if (stats.kind === "error") return <LoadFailed what="your statistics" message={stats.message} />;
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
