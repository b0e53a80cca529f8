import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { signUp, startWorld, type World } from "./testing/world.ts";

// biome-ignore lint/suspicious/noExplicitAny: the document is read loosely and asserted on.
type Json = any;

describe("the OpenAPI document against what the server does", () => {
  let world: World;
  let doc: Json;
  beforeEach(async () => {
    world = await startWorld();
    doc = (await world.call("GET", "/openapi.json")).json();
  });
  afterEach(() => world.close());

  const statuses = (path: string, method: string) => Object.keys(doc.paths[path][method].responses);

  it("given the answers the listener gives on its own, when reading each operation, then each is documented", () => {
    for (const [path, operations] of Object.entries<Json>(doc.paths)) {
      for (const [method, operation] of Object.entries<Json>(operations)) {
        const documented = Object.keys(operation.responses);
        expect(documented, `${method} ${path}`).toEqual(expect.arrayContaining(["431", "500", "503"]));
        if (operation.requestBody) {
          expect(documented, `${method} ${path}`).toEqual(
            expect.arrayContaining(["400", "413", "415", "422"]),
          );
        }
        // The listener decodes path and query parameters (400 when one is bad); `?token=` is auth.
        const decoded = (operation.parameters ?? []).filter((p: Json) => p.name !== "token");
        if (decoded.length > 0) expect(documented, `${method} ${path}`).toContain("400");
        if (operation.security?.some((s: Json) => "bearerAuth" in s)) {
          expect(documented, `${method} ${path}`).toContain("401");
        }
      }
    }
  });

  it("given the requests the probe found refused though the schema allowed them, when answered, then the status is documented and the schema forbids them too", async () => {
    const { token } = await signUp(world, "openapi@example.com");
    const empty = await world.call("POST", "/movies", { token, body: {} });
    const emptyPatch = await world.call("PATCH", "/movies/ml-1", { token, body: {} });
    const blank = await world.call("GET", "/catalog/search?q=%20&year=1870");
    const malformed = await world.call("POST", "/auth/login", {
      rawBody: "",
      headers: { "content-type": "application/json" },
    });
    expect([empty.status, emptyPatch.status, blank.status, malformed.status]).toEqual([422, 422, 400, 400]);
    expect(statuses("/movies", "post")).toEqual(expect.arrayContaining(["400", "415", "422", "503"]));

    const schemas = doc.components.schemas;
    expect(schemas.AddMovieRequest.allOf).toEqual([
      { oneOf: [{ required: ["movie_id"] }, { required: ["title"] }] },
    ]);
    expect(schemas.UpdateMovieRequest.allOf).toEqual([
      { anyOf: [{ required: ["rating"] }, { required: ["watched_at"] }] },
    ]);
    const q = doc.paths["/catalog/search"].get.parameters.find((p: Json) => p.name === "q").schema;
    expect(q).toMatchObject({ type: "string", minLength: 1, maxLength: 300 });
    expect(new RegExp(q.pattern).test(" \t\u00a0\ufeff")).toBe(false);
    expect(new RegExp(q.pattern).test(" heat ")).toBe(true);
    expect(schemas.Rating).toMatchObject({ minimum: 0.5, maximum: 10, multipleOf: 0.5 });
    expect(schemas.AddMovieRequest.properties.title).toMatchObject({ minLength: 1, maxLength: 300 });
  });

  it("given a password of emoji, when its length is checked, then characters count as JSON Schema counts them", async () => {
    const sevenEmoji = "😀".repeat(7);
    const eightEmoji = "😀".repeat(8);
    const short = await world.call("POST", "/auth/signup", {
      body: { email: "emoji7@example.com", password: sevenEmoji },
    });
    const long = await world.call("POST", "/auth/signup", {
      body: { email: "emoji8@example.com", password: eightEmoji },
    });
    expect([short.status, long.status]).toEqual([422, 201]);
  });
});
