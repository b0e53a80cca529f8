import { useState } from "preact/hooks";
import type { Session } from "../api.ts";
import { AddFilm } from "./films/add-film.tsx";
import { FilmList } from "./films/film-list.tsx";
import type { Say, StatusAction } from "./films/messages.ts";
import type { StatsState } from "./stats.tsx";
import { StatsSummary } from "./stats.tsx";

// The films screen's parts are in ./films/: adding a film (search, rating, date) and the list of
// the user's films, with the rating select and the status messages they share.

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
  const [status, setStatus] = useState<{
    readonly text: string;
    readonly error: boolean;
    readonly action?: StatusAction | undefined;
  } | null>(null);
  const [listVersion, setListVersion] = useState(0);
  const say: Say = (text, error = false, action) => setStatus({ text, error, action });
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
        {status?.action ? (
          <>
            {" "}
            <button
              type="button"
              class="link"
              data-testid="films-status-action"
              onClick={() => {
                const action = status.action;
                setStatus(null);
                action?.run();
              }}
            >
              {status.action.label}
            </button>
          </>
        ) : null}
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
