import { ImportJobsStore } from "@cinematch/adapters";
import { ImportAccepted, ImportPath, ImportReport, type ImportSource } from "@cinematch/domain";
import { Clock, Effect, Option } from "effect";
import { HttpFailure, notFound } from "../http/failure.ts";
import { json } from "../http/reply.ts";
import { type Route, route } from "../http/route.ts";
import { readBody } from "../http/request-parts.ts";
import type { RouteDependencies, RouteServices } from "./dependencies.ts";
import { errors } from "./shared.ts";

const UPLOAD_TYPES = {
  letterboxd: ["application/zip", "text/csv"],
  trakt: ["application/zip", "application/json"],
} as const;

/** Anything a browser or curl labels a ZIP, a CSV or JSON file with; the content decides the rest. */
const acceptedType = (header: string | undefined) => {
  const type = (header ?? "").split(";")[0]!.trim().toLowerCase();
  return (
    type === "" || type === "application/octet-stream" || type === "text/plain" || /zip|csv|json/u.test(type)
  );
};

const describeSource: Record<ImportSource, string> = {
  letterboxd:
    "The export as Letterboxd gives it (Settings → Import & Export → Export your data): the ZIP, or one of its CSV files (watched.csv, ratings.csv, diary.csv).",
  trakt:
    "Trakt's export: a ZIP of its JSON files, one JSON file (watched-movies.json, ratings-movies.json, a history file), or a JSON object mapping file names to their arrays.",
};

/**
 * The report as a reader should see it: an import still `running` whose runner has not saved for
 * `stallMs` stopped with its API process (a crash or a restart), so it says so; importing the same
 * export again finishes it and changes nothing already done.
 */
export const presentReport = (report: ImportReport, now: number, stallMs: number): ImportReport =>
  report.status === "running" && now - report.updated_at > stallMs
    ? {
        ...report,
        status: "failed",
        error:
          "the import stopped making progress (its API process ended); importing the same file again finishes it",
      }
    : report;

/** The history import: start one from an export, then follow its progress and read its report. */
export const importRoutes = (deps: RouteDependencies): ReadonlyArray<Route<RouteServices>> => {
  const start = (source: ImportSource) =>
    route({
      name: `import_${source}`,
      method: "POST",
      path: `/imports/${source}`,
      tag: "import",
      summary: `Import my ${source === "letterboxd" ? "Letterboxd" : "Trakt"} history`,
      description: `${describeSource[source]} The films are matched against the catalog (by IMDB and TMDB ids where the export has them, else by title and year) and added through the same path as POST /movies; importing the same export again changes nothing. Answers at once with the import's id; GET the report_url for progress and the result.`,
      auth: "required",
      upload: { contentTypes: UPLOAD_TYPES[source], description: describeSource[source] },
      responses: [
        { status: 202, description: "Accepted; the import runs in the background", schema: ImportAccepted },
        ...errors(
          [400, "The body could not be read (the upload broke off)"],
          [401, "No valid token"],
          [413, "The export is larger than CINEMATCH_IMPORT_MAX_BYTES"],
          [415, "The body is not a ZIP, CSV or JSON file"],
          [422, "Not an export this import can read (the message says why)"],
        ),
      ],
      handler: ({ caller, req }) =>
        Effect.gen(function* () {
          if (!acceptedType(req.headers["content-type"])) {
            return yield* Effect.fail(
              new HttpFailure({
                status: 415,
                code: "unsupported_media_type",
                message: `send the export as ${UPLOAD_TYPES[source].join(" or ")}`,
              }),
            );
          }
          const body = yield* readBody(req, deps.importMaxBytes);
          const report = yield* deps.imports.start(caller!.user_id, source, body);
          const report_url = `/imports/${report.import_id}`;
          return json(
            202,
            ImportAccepted,
            { import_id: report.import_id, report_url },
            { location: report_url },
          );
        }),
    });

  return [
    start("letterboxd"),
    start("trakt"),
    route({
      name: "get_import",
      method: "GET",
      path: "/imports/{importId}",
      tag: "import",
      summary: "Progress, then the report, of one of my imports",
      description:
        "While `running`: how many films were matched and written so far. Then: how many were added, already present and updated, and each film that was not matched, with the reason and the closest candidates (add one with POST /movies to resolve it).",
      auth: "required",
      params: ImportPath,
      responses: [
        { status: 200, description: "The import's report", schema: ImportReport },
        ...errors([401, "No valid token"], [404, "No such import of mine"]),
      ],
      handler: ({ params, caller }) =>
        Effect.gen(function* () {
          const report = yield* (yield* ImportJobsStore).get(caller!.user_id, params.importId);
          if (Option.isNone(report)) return yield* Effect.fail(notFound("no such import of yours"));
          const now = yield* Clock.currentTimeMillis;
          return json(200, ImportReport, presentReport(report.value, now, deps.importStallMs));
        }),
    }),
  ];
};
