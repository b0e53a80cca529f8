import { defineConfig } from "vite";

// Preact through the compiler's automatic JSX runtime: no framework plugin (and no Babel) needed.
// Everything is bundled into dist/ (no CDN), which the API serves at `/`.
export default defineConfig({
  base: "/",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // Source maps hand out the source: built only when asked (the API serves them only when asked too).
    sourcemap: process.env.CINEMATCH_SOURCE_MAPS === "true",
    reportCompressedSize: true,
  },
  server: {
    // `npm run dev -w @cinematch/web` next to an API on :8000.
    proxy: Object.fromEntries(
      ["/auth", "/movies", "/catalog", "/stats", "/trends", "/live", "/health"].map((path) => [
        path,
        { target: process.env.CINEMATCH_API_URL ?? "http://127.0.0.1:8000", changeOrigin: true },
      ]),
    ),
  },
});
