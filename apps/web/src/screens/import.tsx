import { useEffect, useRef, useState } from "preact/hooks";
import {
  addFilm,
  type FilmWire,
  type ImportReportWire,
  type ImportSource,
  importReport,
  type Session,
  startImport,
} from "../api.ts";

const POLL_MS = 500;

const SOURCES: ReadonlyArray<{
  readonly source: ImportSource;
  readonly label: string;
  readonly hint: string;
}> = [
  {
    source: "letterboxd",
    label: "Letterboxd",
    hint: "Settings → Import & Export → Export your data: the ZIP, or one of its CSV files.",
  },
  {
    source: "trakt",
    label: "Trakt",
    hint: "Your Trakt export: the ZIP, or watched-movies.json / ratings-movies.json.",
  },
];

const filmLabel = (film: { readonly title: string; readonly year?: number | undefined }) =>
  film.year ? `${film.title} (${film.year})` : film.title;

type Unmatched = ImportReportWire["unmatched"][number];

/** Drop an export, watch it go through, read the report, and pick the right film for those not matched. */
export const ImportScreen = ({
  session,
  onUnauthorized,
}: {
  readonly session: Session;
  readonly onUnauthorized: () => void;
}) => {
  const [source, setSource] = useState<ImportSource>("letterboxd");
  const [error, setError] = useState<string | null>(null);
  const [reportUrl, setReportUrl] = useState<string | null>(null);
  const [report, setReport] = useState<ImportReportWire | null>(null);
  const [uploading, setUploading] = useState(false);
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const upload = async (file: File | undefined) => {
    if (!file || uploading) return;
    setError(null);
    setReport(null);
    setReportUrl(null);
    setUploading(true);
    const result = await startImport(session.token, source, file);
    setUploading(false);
    if (input.current) input.current.value = "";
    if (!result.ok) {
      if (result.status === 401) onUnauthorized();
      else setError(result.message);
      return;
    }
    setReportUrl(result.value.report_url);
  };

  // Follow the report until the import is done.
  useEffect(() => {
    if (reportUrl === null) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const look = async () => {
      const result = await importReport(session.token, reportUrl);
      if (stopped) return;
      if (result.ok) {
        setReport(result.value);
        if (result.value.status !== "running") return;
      } else if (result.status === 401) {
        onUnauthorized();
        return;
      } else setError(result.message);
      timer = setTimeout(look, POLL_MS);
    };
    look();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [reportUrl, session.token]);

  const hint = SOURCES.find((s) => s.source === source)!.hint;
  return (
    <section class="screen" aria-labelledby="import-title">
      <div class="screen-head">
        <h2 id="import-title" tabIndex={-1}>
          Import your history
        </h2>
      </div>
      <div class="grid films-grid">
        <section class="card" aria-labelledby="import-file-title">
          <h3 id="import-file-title">Your export</h3>
          <fieldset class="segmented" aria-label="Where the export comes from">
            {SOURCES.map((s) => (
              <label key={s.source}>
                <input
                  type="radio"
                  name="import-source"
                  value={s.source}
                  checked={source === s.source}
                  onChange={() => setSource(s.source)}
                />
                {s.label}
              </label>
            ))}
          </fieldset>
          <label
            class={`drop-zone${dragging ? " dragging" : ""}`}
            data-testid="drop-zone"
            onDragOver={(event) => {
              event.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={(event) => {
              event.preventDefault();
              setDragging(false);
              upload(event.dataTransfer?.files[0]);
            }}
          >
            <span>Drop the export file here, or choose it</span>
            <input
              ref={input}
              type="file"
              accept=".zip,.csv,.json"
              aria-label="Export file"
              disabled={uploading}
              onChange={(event) => upload((event.currentTarget as HTMLInputElement).files?.[0])}
            />
          </label>
          <small class="muted">{hint} Importing the same file again changes nothing.</small>
          {uploading ? <p class="muted">Uploading…</p> : null}
          {error ? (
            <p class="notice error" role="alert">
              {error}
            </p>
          ) : null}
        </section>
        {report ? (
          <ImportReportView report={report} session={session} onUnauthorized={onUnauthorized} />
        ) : null}
      </div>
    </section>
  );
};

const ImportReportView = ({
  report,
  session,
  onUnauthorized,
}: {
  readonly report: ImportReportWire;
  readonly session: Session;
  readonly onUnauthorized: () => void;
}) => {
  const running = report.status === "running";
  const planning = running && report.matched === 0 && report.unmatched_count === 0;
  return (
    <section class="card" aria-labelledby="import-report-title" data-testid="import-report">
      <h3 id="import-report-title">
        {running ? "Importing…" : report.status === "done" ? "Imported" : "Import stopped"}
      </h3>
      <label class="stack-label">
        <span>
          {planning
            ? `Matching ${report.films} films with the catalog…`
            : `${report.processed} of ${report.matched} matched films written`}
        </span>
        <progress
          data-testid="import-progress"
          max={planning ? undefined : Math.max(1, report.matched)}
          value={planning ? undefined : report.processed}
        />
      </label>
      {report.error ? (
        <p class="notice error" role="alert">
          {report.error}
        </p>
      ) : null}
      <dl class="summary" data-testid="import-counts">
        {(
          [
            ["Films in the export", report.films],
            ["Matched", report.matched],
            ["Added", report.added],
            ["Already there", report.already_present],
            ["Updated", report.updated],
            ["Not matched", report.unmatched_count],
          ] as const
        ).map(([label, count]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{count}</dd>
          </div>
        ))}
      </dl>
      {report.unmatched.length > 0 ? (
        <>
          <h4>Not matched: pick the right film</h4>
          <ul class="unmatched-list" aria-label="Films not matched">
            {report.unmatched.map((film) => (
              <UnmatchedFilm
                key={`${film.title}|${film.year ?? ""}`}
                film={film}
                session={session}
                onUnauthorized={onUnauthorized}
              />
            ))}
          </ul>
        </>
      ) : null}
      {report.problems.length > 0 ? (
        <details>
          <summary>{report.problem_count} rows read only in part</summary>
          <ul>
            {report.problems.map((p) => (
              <li key={`${p.file}:${p.line ?? ""}:${p.message}`} class="muted">
                {p.file}
                {p.line === undefined ? "" : `:${p.line}`}: {p.message}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </section>
  );
};

const UnmatchedFilm = ({
  film,
  session,
  onUnauthorized,
}: {
  readonly film: Unmatched;
  readonly session: Session;
  readonly onUnauthorized: () => void;
}) => {
  const [added, setAdded] = useState<FilmWire | null>(null);
  const [error, setError] = useState<string | null>(null);
  const pick = async (candidate: FilmWire) => {
    setError(null);
    const result = await addFilm(session.token, {
      movie_id: candidate.movie_id,
      ...(film.rating === undefined ? {} : { rating: film.rating }),
      ...(film.watched_at === undefined ? {} : { watched_at: film.watched_at }),
    });
    if (result.ok) setAdded(candidate);
    else if (result.status === 401) onUnauthorized();
    else setError(result.message);
  };
  return (
    <li>
      <span class="film-main">
        <span class="film-title">{filmLabel(film)}</span>
        <span class="muted">
          {film.reason === "ambiguous" ? "Several films fit" : "Not in the catalog"}
          {film.candidates.length > 0 && !added ? "; is it one of these?" : ""}
        </span>
        {added ? <span data-testid="resolved">Added as {filmLabel(added)}</span> : null}
        {error ? (
          <span class="notice error" role="alert">
            {error}
          </span>
        ) : null}
      </span>
      {added ? null : (
        <span class="candidates">
          {film.candidates.map((candidate) => (
            <button
              type="button"
              key={candidate.film.movie_id}
              onClick={() => pick(candidate.film)}
              aria-label={`Add ${filmLabel(candidate.film)} for ${filmLabel(film)}`}
            >
              {filmLabel(candidate.film)}
            </button>
          ))}
        </span>
      )}
    </li>
  );
};
