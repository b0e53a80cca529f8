import { Empty } from "../components/charts.tsx";
import { useNow } from "../hooks.ts";
import { timeAgo } from "../view/format.ts";
import { StatsDetail } from "./stats/detail.tsx";
import { type StatsState, StatsSummary } from "./stats/summary.tsx";

// The statistics screen's parts are in ./stats/: the headline figures (summary, also shown above
// "My films"), the detail cards, and the charts and lists they hold.
export { type StatsState, StatsSummary } from "./stats/summary.tsx";

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
