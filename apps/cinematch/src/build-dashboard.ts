/**
 * `node apps/cinematch/src/build-dashboard.ts`: builds the dashboard when its build is missing or
 * older than its sources (CINEMATCH_WEB_BUILD: auto | always | never), as `npm start` does. The
 * real stack (`npm run stack:up`) runs it before starting the API, so a fresh clone serves the
 * dashboard at `/` instead of "not built yet". Exit 0 when a build is there afterwards.
 */
import { apiConfigFromEnv } from "@cinematch/api";
import { Effect } from "effect";
import { embeddedSettingsFromEnv } from "./settings.ts";
import { ensureDashboard } from "./web-build.ts";

const program = Effect.gen(function* () {
  const api = yield* apiConfigFromEnv;
  const settings = yield* embeddedSettingsFromEnv;
  return yield* ensureDashboard(api.webDist, settings.webBuild);
});

Effect.runPromise(program).then(
  (built) => process.exit(built ? 0 : 1),
  (error) => {
    console.error(`could not check the dashboard build: ${String(error)}`);
    process.exit(1);
  },
);
