import type { ComponentChild } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { myStats, onReachability, type Session } from "./api.ts";
import { useHashRoute, useLatest } from "./hooks.ts";
import { connectLive, type LiveMode } from "./live.ts";
import { AuthScreen } from "./screens/auth.tsx";
import { FilmsScreen } from "./screens/films.tsx";
import { ImportScreen } from "./screens/import.tsx";
import { StatsScreen, type StatsState } from "./screens/stats.tsx";
import { TrendsScreen } from "./screens/trends.tsx";
import { loadSession, saveSession } from "./session.ts";

const NAV = [
  { route: "/", label: "Trends" },
  { route: "/films", label: "My films" },
  { route: "/stats", label: "My statistics" },
] as const;

const LIVE_LABEL: Record<LiveMode | "offline", string> = {
  connecting: "Connecting…",
  live: "Live",
  polling: "Refreshing every few seconds",
  offline: "The server cannot be reached; trying again every few seconds",
};
const BADGE_TEXT: Record<LiveMode | "offline", string> = {
  connecting: "…",
  live: "Live",
  polling: "Polling",
  offline: "Offline",
};

export const App = () => {
  const route = useHashRoute();
  const [session, setSession] = useState<Session | null>(loadSession);
  const [authReason, setAuthReason] = useState<string | null>(null);
  const [stats, setStats] = useState<StatsState>({ kind: "loading" });
  const [trendsTick, setTrendsTick] = useState(0);
  const [statsTick, setStatsTick] = useState(0);
  const [mode, setMode] = useState<LiveMode>("connecting");
  const [reachable, setReachable] = useState(true);
  useEffect(() => onReachability(setReachable), []);
  const badge = reachable ? mode : "offline";
  const statsRequest = useRef(0);
  const mainRef = useRef<HTMLElement>(null);

  const logOut = useCallback((reason: string | null) => {
    saveSession(null);
    setSession(null);
    setStats({ kind: "loading" });
    setAuthReason(reason);
  }, []);
  const onUnauthorized = useCallback(
    () => logOut("Your session has expired. Please log in again."),
    [logOut],
  );

  const refreshStats = useCallback(async () => {
    if (!session) return;
    const id = ++statsRequest.current;
    const result = await myStats(session.token);
    if (id !== statsRequest.current) return;
    if (result.ok) {
      setStats(
        result.value.state === "ready"
          ? { kind: "ready", doc: result.value.value }
          : { kind: "not_computed" },
      );
    } else if (result.status === 401) {
      onUnauthorized();
    } else {
      setStats((s) => (s.kind === "ready" ? s : { kind: "error", message: result.message }));
    }
  }, [session, onUnauthorized]);
  const latestRefresh = useLatest(refreshStats);

  useEffect(() => {
    refreshStats();
  }, [refreshStats]);

  useEffect(
    () =>
      connectLive(session?.token ?? null, {
        onTrends: () => setTrendsTick((t) => t + 1),
        onStats: () => {
          setStatsTick((t) => t + 1);
          latestRefresh.current();
        },
        onMode: setMode,
      }),
    [session?.token],
  );

  // Move focus to the new screen's heading on navigation, as a page load would for a screen reader.
  const firstRoute = useRef(true);
  useEffect(() => {
    if (firstRoute.current) {
      firstRoute.current = false;
      return;
    }
    mainRef.current?.querySelector<HTMLElement>("h2")?.focus();
    window.scrollTo(0, 0);
  }, [route]);

  const onSession = (next: Session) => {
    saveSession(next);
    setAuthReason(null);
    setStats({ kind: "loading" });
    setSession(next);
    window.location.hash = "#/films";
  };

  const needsAccount = route === "/films" || route === "/stats" || route === "/import";
  let screen: ComponentChild;
  if (route === "/login" || route === "/signup" || (needsAccount && !session)) {
    screen = (
      <AuthScreen
        mode={route === "/signup" ? "signup" : "login"}
        reason={
          authReason ??
          (needsAccount
            ? "Log in (or sign up) to keep your own list of films and see your statistics."
            : null)
        }
        onSession={onSession}
      />
    );
  } else if (route === "/films" && session) {
    screen = (
      <FilmsScreen session={session} stats={stats} refreshTick={statsTick} onUnauthorized={onUnauthorized} />
    );
  } else if (route === "/import" && session) {
    screen = <ImportScreen session={session} onUnauthorized={onUnauthorized} />;
  } else if (route === "/stats" && session) {
    screen = <StatsScreen stats={stats} />;
  } else {
    screen = <TrendsScreen refreshTick={trendsTick} offline={!reachable} />;
  }

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="#/">
          <span class="logo" aria-hidden="true" />
          CineMatch
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.route}>
                <a href={`#${item.route}`} aria-current={route === item.route ? "page" : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="account">
          <span class={`live ${badge}`} data-testid="live-mode" title={LIVE_LABEL[badge]} role="status">
            <span class="dot" aria-hidden="true" />
            <span class="live-label">{BADGE_TEXT[badge]}</span>
            <span class="visually-hidden">{`: ${LIVE_LABEL[badge]}`}</span>
          </span>
          {session ? (
            <>
              <span class="who" data-testid="who" title={session.email}>
                {session.email.split("@")[0]}
              </span>
              <button type="button" class="link" onClick={() => logOut(null)}>
                Log out
              </button>
            </>
          ) : (
            <>
              <a href="#/login">Log in</a>
              <a class="button primary" href="#/signup">
                Sign up
              </a>
            </>
          )}
        </div>
      </header>
      <main id="main" ref={mainRef}>
        {screen}
      </main>
      <footer class="foot muted">
        CineMatch · community trends and your own statistics, updated live as films are added.
      </footer>
    </>
  );
};
