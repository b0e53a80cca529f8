import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { signUp, startWorld, type World } from "./testing/world.ts";

/** A raw request (fetch refuses some of the shapes an attacker sends), answered or failed. */
const rawGet = (url: string, path: string, headers: Record<string, string> = {}) =>
  new Promise<{ status: number; text: string; headers: Record<string, unknown> } | { error: string }>(
    (resolve) => {
      const target = new URL(url);
      const req = request({ host: target.hostname, port: target.port, path, headers }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
      });
      req.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? String(error) }));
      req.end();
    },
  );

describe("an API facing hostile requests", () => {
  let world: World;
  let dist: string;
  beforeEach(async () => {
    dist = mkdtempSync(join(tmpdir(), "cinematch-web-"));
    mkdirSync(join(dist, "assets"));
    writeFileSync(join(dist, "index.html"), "<!doctype html><title>dash</title>");
    writeFileSync(join(dist, "assets", "app-1.js"), "console.log(1)\n//# sourceMappingURL=app-1.js.map");
    writeFileSync(join(dist, "assets", "app-1.js.map"), '{"version":3,"sources":["secret.tsx"]}');
    world = await startWorld({ config: { webDist: dist } });
  });
  afterEach(() => world.close());

  it("given a login whose email is an array nested 2,800 deep, when posted, then 422 naming the depth, not 500", async () => {
    for (const depth of [2_500, 2_800, 30_000]) {
      const response = await world.call("POST", "/auth/login", {
        rawBody: `{"email": ${"[".repeat(depth)}${"]".repeat(depth)}, "password": "x"}`,
        headers: { "content-type": "application/json" },
      });
      expect(response.status, `depth ${depth}`).toBe(422);
      expect(response.json().message).toMatch(/nested too deeply/);
    }
  });

  it("given any kind of answer, when it arrives, then it carries the security headers", async () => {
    const { token } = await signUp(world, "headers@example.com");
    const answers = await Promise.all([
      world.call("GET", "/health"),
      world.call("GET", "/nope"),
      world.call("POST", "/movies", { token, body: {} }),
      world.call("GET", "/", { headers: { accept: "text/html" } }),
      world.call("GET", "/assets/app-1.js"),
      world.call("GET", "/openapi.json"),
      world.call("GET", "/docs", { headers: { accept: "text/html" } }),
    ]);
    for (const answer of answers) {
      expect(answer.headers.get("content-security-policy")).toMatch(/default-src 'self'/);
      expect(answer.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
      expect(answer.headers.get("x-frame-options")).toBe("DENY");
      expect(answer.headers.get("referrer-policy")).toBe("no-referrer");
      expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
    }
    const live = new AbortController();
    const stream = await fetch(`${world.url}/live`, { signal: live.signal });
    expect(stream.headers.get("x-frame-options")).toBe("DENY");
    live.abort();
  });

  it("given the docs page with its inline script, when served, then its policy allows that script by hash and no other", async () => {
    const docs = await world.call("GET", "/docs", { headers: { accept: "text/html" } });
    const policy = docs.headers.get("content-security-policy") ?? "";
    expect(policy).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/]+=*'/);
    const scripts = policy.split(";").find((directive) => directive.trim().startsWith("script-src"));
    expect(scripts).not.toMatch(/unsafe-inline|unsafe-eval/);
  });

  it("given a built dashboard with source maps, when one is requested and no setting asks for them, then 404", async () => {
    expect((await world.call("GET", "/assets/app-1.js")).status).toBe(200);
    expect((await world.call("GET", "/assets/app-1.js.map")).status).toBe(404);
    await world.close();
    world = await startWorld({ config: { webDist: dist, serveSourceMaps: true } });
    expect((await world.call("GET", "/assets/app-1.js.map")).status).toBe(200);
  });

  it("given a URL of 60 KB, 200 KB or 8 MB, when sent, then 431 JSON, never a reset", async () => {
    for (const size of [60_000, 200_000, 8_000_000]) {
      const answer = await rawGet(world.url, `/catalog/search?q=${"a".repeat(size)}`);
      expect(answer, `${size} bytes`).toMatchObject({ status: 431 });
      if ("text" in answer) {
        expect(JSON.parse(answer.text).error).toBe("request_header_fields_too_large");
        expect(answer.headers["x-content-type-options"]).toBe("nosniff");
      }
    }
  });

  it("given a header block of 1 MB, when sent, then 431 and the API keeps answering", async () => {
    const answer = await rawGet(world.url, "/health", { "x-padding": "b".repeat(1_000_000) });
    expect(answer).toMatchObject({ status: 431 });
    expect((await world.call("GET", "/health")).status).toBe(200);
  });
});
