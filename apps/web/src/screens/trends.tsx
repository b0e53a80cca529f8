import { useEffect, useRef, useState } from "preact/hooks";
import { type Computed, globalTrends, type TrendsWire, type TrendWindow } from "../api.ts";
import { BarListCard, CardOrEmpty, LoadFailed, Loading } from "../components/cards.tsx";
import { Empty, Poster, Segmented } from "../components/charts.tsx";
import { useNow } from "../hooks.ts";
import { describeRankChange, formatPercent, plural, rankChanges, timeAgo } from "../view/format.ts";

const WINDOWS: ReadonlyArray<{ readonly value: TrendWindow; readonly label: string }> = [
  { value: "7d", label: "7 days" },
  { value: "30d", label: "30 days" },
  { value: "all", label: "All time" },
];
const WINDOW_KEY = "cinematch.trends.window";

/**
 * The previous and current document seen for each window, kept across reloads, so "rank change
 * since the last update" compares two consecutive updates this browser has seen.
 */
interface Seen {
  readonly current: TrendsWire;
  readonly previous: TrendsWire | undefined;
}
const seenKey = (trendWindow: TrendWindow) => `cinematch.trends.seen.${trendWindow}`;
const loadSeen = (trendWindow: TrendWindow): Seen | undefined => {
  try {
    const raw = localStorage.getItem(seenKey(trendWindow));
    return raw ? (JSON.parse(raw) as Seen) : undefined;
  } catch {
    return undefined;
  }
};
const remember = (trendWindow: TrendWindow, doc: TrendsWire): Seen => {
  const before = loadSeen(trendWindow);
  const seen: Seen =
    before && before.current.updated_at === doc.updated_at
      ? { current: doc, previous: before.previous }
      : { current: doc, previous: before?.current };
  try {
    localStorage.setItem(seenKey(trendWindow), JSON.stringify(seen));
  } catch {
    // Without storage, changes are compared within this page only (the state below still holds them).
  }
  return seen;
};

type State =
  | { readonly kind: "loading" }
  | { readonly kind: "error"; readonly message: string }
  | { readonly kind: "not_computed" }
  | { readonly kind: "ready"; readonly seen: Seen };

const initialWindow = (): TrendWindow => {
  const stored = localStorage.getItem(WINDOW_KEY);
  return stored === "7d" || stored === "30d" || stored === "all" ? stored : "30d";
};

export const TrendsScreen = ({
  refreshTick,
  offline,
}: {
  readonly refreshTick: number;
  /** The server cannot be reached: what is shown is the last answer it gave. */
  readonly offline: boolean;
}) => {
  const [trendWindow, setWindow] = useState<TrendWindow>(initialWindow);
  const [state, setState] = useState<State>({ kind: "loading" });
  const latest = useRef(0);
  const now = useNow();

  useEffect(() => {
    const id = ++latest.current;
    // The other windows are remembered too, so each has an earlier update to show rank changes
    // against when the user switches to it (not only the window that happened to be on screen).
    for (const other of WINDOWS) {
      if (other.value === trendWindow) continue;
      globalTrends(other.value).then((result) => {
        if (result.ok && result.value.state === "ready") remember(other.value, result.value.value);
      });
    }
    globalTrends(trendWindow).then((result) => {
      if (id !== latest.current) return;
      if (!result.ok) {
        setState((s) => (s.kind === "ready" ? s : { kind: "error", message: result.message }));
        return;
      }
      const computed: Computed<TrendsWire> = result.value;
      setState(
        computed.state === "ready"
          ? { kind: "ready", seen: remember(trendWindow, computed.value) }
          : { kind: "not_computed" },
      );
    });
  }, [trendWindow, refreshTick]);

  const choose = (next: TrendWindow) => {
    localStorage.setItem(WINDOW_KEY, next);
    if (next !== trendWindow) setState({ kind: "loading" });
    setWindow(next);
  };

  return (
    <section class="screen" aria-labelledby="trends-title">
      <div class="screen-head">
        <h2 id="trends-title" tabIndex={-1}>
          Community trends
        </h2>
        <Segmented label="Time window" options={WINDOWS} value={trendWindow} onChange={choose} />
      </div>
      {state.kind === "loading" ? <Loading what="the trends" /> : null}
      {state.kind === "error" ? <LoadFailed what="the trends" message={state.message} /> : null}
      {state.kind === "not_computed" ? (
        <Empty>
          The trends have not been computed yet. They appear here a few seconds after the first film is added
          by anyone.
        </Empty>
      ) : null}
      {state.kind === "ready" && offline ? (
        <p class="notice error" data-testid="trends-offline">
          The server cannot be reached. These are the last figures it sent; they refresh when it is back.
        </p>
      ) : null}
      {state.kind === "ready" ? <TrendsView seen={state.seen} now={now} /> : null}
    </section>
  );
};

const TrendsView = ({ seen, now }: { readonly seen: Seen; readonly now: number }) => {
  const doc = seen.current;
  const ranked = rankChanges(seen.previous?.top_movies, doc.top_movies);
  return (
    <>
      <p class="muted" data-testid="trends-updated">
        Updated <time dateTime={doc.updated_at}>{timeAgo(doc.updated_at, now)}</time> ·{" "}
        <span data-testid="trends-total">{plural(doc.total_movies_analyzed, "add")}</span> in this window
      </p>
      <div class="grid">
        <CardOrEmpty
          title="Top 10 films"
          id="top-films"
          wide
          empty={ranked.length === 0 && "Nobody has added a film in this window yet."}
        >
          <ol class="top-list" data-testid="top-films">
            {ranked.map(({ item, rank, tied, change }) => {
              const described = describeRankChange(change);
              return (
                <li key={item.movie_id} data-movie-id={item.movie_id} data-rank={rank}>
                  <span class="rank" aria-hidden="true">
                    {tied ? `=${rank}` : rank}
                  </span>
                  <Poster movieId={item.movie_id} title={item.title} path={item.poster_path} />
                  <span class="top-title">
                    <span class="visually-hidden">
                      {tied ? `Tied at number ${rank}: ` : `Number ${rank}: `}
                    </span>
                    {item.title}
                  </span>
                  <span class="top-count" data-testid="top-count">
                    {plural(item.count, "add")}
                    {tied ? <span class="tied"> · tied</span> : null}
                  </span>
                  <span class={`rank-change ${change.kind}`} title={described.label}>
                    <span aria-hidden="true">{described.symbol}</span>
                    {described.label ? <span class="visually-hidden">{described.label}</span> : null}
                  </span>
                </li>
              );
            })}
          </ol>
          {ranked.some((r) => r.tied) ? (
            <p class="muted small" data-testid="ties-note">
              Films with the same number of adds share a rank (=) and are listed by title.
            </p>
          ) : null}
        </CardOrEmpty>
        <BarListCard
          title="Trending genres"
          id="trending-genres"
          label="Trending genres"
          empty="No genres yet."
          data={doc.trending_genres.map((g) => ({
            key: g.genre,
            label: g.genre,
            value: g.percentage,
            display: formatPercent(g.percentage),
            description: `${plural(g.count, "add")}, ${formatPercent(g.percentage)} of all genre counts`,
          }))}
        />
      </div>
    </>
  );
};
