import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

export interface StaticFile {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer | string;
  readonly headers: Record<string, string>;
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>CineMatch</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;line-height:1.5">
<h1>CineMatch API</h1>
<p>The dashboard is not built yet. Build it with <code>npm run build -w @cinematch/web</code> and reload.</p>
<p>Meanwhile: <a href="/docs">API docs</a> · <a href="/openapi.json">openapi.json</a> · <a href="/health">health</a></p>
</body></html>`;

const isFile = async (path: string) => {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
};

/**
 * The dashboard's build output. A path that names a file inside `root` is that file; any other GET
 * that accepts HTML gets `index.html` (the dashboard routes in the browser); `undefined` otherwise.
 * When `root` has no index.html yet, `/` says the dashboard is not built. Source maps (`*.map`) are
 * served only when `sourceMaps` is on: they hand out the dashboard's source.
 */
export const makeStaticFiles = (root: string, options: { readonly sourceMaps: boolean }) => {
  const base = normalize(root);
  return async (pathname: string, acceptsHtml: boolean): Promise<StaticFile | undefined> => {
    let relative: string;
    try {
      relative = decodeURIComponent(pathname);
    } catch {
      return undefined;
    }
    if (relative.includes("\0")) return undefined;
    if (!options.sourceMaps && extname(relative).toLowerCase() === ".map") return undefined;
    const target = normalize(join(base, relative));
    const inside = target === base || target.startsWith(base.endsWith(sep) ? base : base + sep);
    const index = join(base, "index.html");
    if (inside && target !== base && (await isFile(target))) {
      const immutable = relative.startsWith("/assets/");
      return {
        status: 200,
        contentType: TYPES[extname(target).toLowerCase()] ?? "application/octet-stream",
        body: await readFile(target),
        headers: {
          "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
          "x-content-type-options": "nosniff",
        },
      };
    }
    if (!acceptsHtml) return undefined;
    if (await isFile(index)) {
      return {
        status: 200,
        contentType: TYPES[".html"]!,
        body: await readFile(index),
        headers: { "cache-control": "no-cache", "x-content-type-options": "nosniff" },
      };
    }
    return pathname === "/" || pathname === "/index.html"
      ? {
          status: 200,
          contentType: TYPES[".html"]!,
          body: NOT_BUILT,
          headers: { "cache-control": "no-cache" },
        }
      : undefined;
  };
};
