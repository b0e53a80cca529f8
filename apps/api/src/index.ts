/**
 * `@cinematch/api`: the HTTP API as layers, so a composition root (apps/cinematch, the one-process
 * embedded default) can run it over the layers it chooses. `main.ts` is the stand-alone process.
 */
export {
  type ApiDependencies,
  ApiHttpLive,
  ApiLive,
  type ApiOptions,
  ApiServer,
  type ApiServerService,
  ApiStartError,
  makeApiListener,
  WatchlistCommandsAndOutboxLive,
} from "./app.ts";
export { type ApiConfig, apiConfig, apiConfigFromEnv, DEFAULT_WEB_DIST, defaultApiConfig } from "./config.ts";
export type { ReadinessCheck } from "./routes/routes.ts";
