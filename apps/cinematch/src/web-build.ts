import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_WEB_DIST } from "@cinematch/api";
import { Effect } from "effect";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const webDir = join(repoRoot, "apps", "web");

const newestMtime = (path: string): number => {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
};

/** Whether `dist/index.html` exists and is at least as new as every source of the dashboard. */
export const dashboardIsFresh = (dist: string): boolean => {
  const index = join(dist, "index.html");
  if (!existsSync(index)) return false;
  const sources = ["src", "public", "index.html", "vite.config.ts", "package.json"].map((p) =>
    join(webDir, p),
  );
  return statSync(index).mtimeMs >= Math.max(...sources.map(newestMtime));
};

const viteBin = (): string | undefined =>
  [
    join(webDir, "node_modules", "vite", "bin", "vite.js"),
    join(repoRoot, "node_modules", "vite", "bin", "vite.js"),
  ].find((path) => existsSync(path));

/**
 * Builds apps/web with Vite into a folder of its own under .cache, then swaps it in as dist/, so a
 * process serving the old build (another `npm start`, a test) never sees a half-written one.
 */
const buildDashboard = (dist: string): { readonly ok: boolean; readonly why?: string } => {
  const vite = viteBin();
  if (vite === undefined) return { ok: false, why: "vite is not installed (npm ci installs it)" };
  const work = join(repoRoot, ".cache", "web-build");
  mkdirSync(work, { recursive: true });
  const out = join(work, `dist-${process.pid}-${Date.now()}`);
  const result = spawnSync(
    process.execPath,
    [vite, "build", "--logLevel", "warn", "--outDir", out, "--emptyOutDir"],
    {
      cwd: webDir,
      stdio: ["ignore", "inherit", "inherit"],
      timeout: 300_000,
    },
  );
  if (result.status !== 0 || !existsSync(join(out, "index.html"))) {
    rmSync(out, { recursive: true, force: true });
    return {
      ok: false,
      why: result.error ? String(result.error) : `vite exited with ${result.status ?? result.signal}`,
    };
  }
  const old = `${out}-old`;
  if (existsSync(dist)) renameSync(dist, old);
  renameSync(out, dist);
  rmSync(old, { recursive: true, force: true });
  return { ok: true };
};

/**
 * Makes sure the API has a dashboard to serve at `/`: with `auto`, builds it once when the build is
 * missing or older than its sources (about ten seconds); a custom `CINEMATCH_WEB_DIST` is never
 * built. Returns whether a build is there; without one the API still runs and the way to build is
 * printed.
 */
export const ensureDashboard = (dist: string, mode: "auto" | "always" | "never"): Effect.Effect<boolean> =>
  Effect.gen(function* () {
    const ours = resolve(dist) === resolve(DEFAULT_WEB_DIST);
    const present = () => existsSync(join(dist, "index.html"));
    if (!ours || mode === "never" || (mode === "auto" && dashboardIsFresh(dist))) {
      if (!present()) {
        yield* Effect.logWarning(
          `no dashboard build in ${dist}; the API runs without it (build it with: npm run build -w @cinematch/web)`,
        );
      }
      return present();
    }
    yield* Effect.logInfo(`building the dashboard (apps/web, Vite) into ${dist} ...`);
    const started = Date.now();
    const result = buildDashboard(dist);
    if (result.ok) {
      yield* Effect.logInfo(`dashboard built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } else {
      yield* Effect.logWarning(
        `could not build the dashboard (${result.why}); ${present() ? "serving the previous build" : "the API runs without it"}. ` +
          "Build it with: npm run build -w @cinematch/web",
      );
    }
    return present();
  });
