import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { signUp, startWorld, type World } from "./testing/world.ts";

describe("a signed-up user with an empty list", () => {
  let world: World;
  let token: string;
  beforeEach(async () => {
    world = await startWorld();
    ({ token } = await signUp(world, "alice@example.com"));
  });
  afterEach(() => world.close());

  it("given a catalog id, when adding, then 201 with the entry carrying the catalog's film snapshot", async () => {
    const response = await world.call("POST", "/movies", {
      token,
      body: { movie_id: "ml-1", rating: 8.5, watched_at: "2026-01-02" },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("location")).toBe("/movies/ml-1");
    expect(response.json()).toMatchObject({
      status: "added",
      entry: {
        movie: { movie_id: "ml-1", title: "Toy Story", year: 1995, runtime_minutes: 81 },
        rating: 8.5,
        watched_at: "2026-01-02T00:00:00.000Z",
      },
    });
  });

  it("given a title and year, when adding, then the matcher resolves it", async () => {
    const response = await world.call("POST", "/movies", { token, body: { title: "solaris", year: 2002 } });
    expect(response.status).toBe(201);
    expect(response.json().entry.movie.movie_id).toBe("ml-4");
  });

  it("given a title written differently, when adding, then the matcher still finds it", async () => {
    const response = await world.call("POST", "/movies", {
      token,
      body: { title: "Leon: the professional" },
    });
    expect(response.status).toBe(201);
    expect(response.json().entry.movie.movie_id).toBe("ml-6");
  });

  it("given a title two films share, when adding without a year, then 409 with both candidates and nothing added", async () => {
    const response = await world.call("POST", "/movies", { token, body: { title: "Solaris" } });
    expect(response.status).toBe(409);
    const body = response.json();
    expect(body.error).toBe("ambiguous_title");
    expect(body.candidates.map((c: { film: { movie_id: string } }) => c.film.movie_id).sort()).toEqual([
      "ml-3",
      "ml-4",
    ]);
    expect(typeof body.candidates[0].score).toBe("number");
    expect((await world.call("GET", "/movies", { token })).json().total).toBe(0);
  });

  it("given an unknown id or an unmatched title, when adding, then 422 naming the field", async () => {
    const byId = await world.call("POST", "/movies", { token, body: { movie_id: "ml-999" } });
    const byTitle = await world.call("POST", "/movies", { token, body: { title: "Qwxzzy Plonk" } });
    expect(byId.status).toBe(422);
    expect(byId.json().issues[0].path).toBe("movie_id");
    expect(byTitle.status).toBe(422);
    expect(byTitle.json().issues[0].path).toBe("title");
  });

  it("given invalid fields, when adding, then 422 listing every failing field", async () => {
    const response = await world.call("POST", "/movies", {
      token,
      body: { movie_id: "ml-1", rating: 11, watched_at: "yesterday" },
    });
    expect(response.status).toBe(422);
    expect(
      response
        .json()
        .issues.map((i: { path: string }) => i.path)
        .sort(),
    ).toEqual(["rating", "watched_at"]);
  });

  it("given neither movie_id nor title, or both, when adding, then 422 on movie_id", async () => {
    const neither = await world.call("POST", "/movies", { token, body: { rating: 5 } });
    const both = await world.call("POST", "/movies", { token, body: { movie_id: "ml-1", title: "Heat" } });
    expect([neither.status, both.status]).toEqual([422, 422]);
    expect(neither.json().issues[0].path).toBe("movie_id");
    expect(both.json().issues[0].message).toMatch(/not both/);
  });

  it("given a watch date in the future, when adding, then 422 on watched_at", async () => {
    const response = await world.call("POST", "/movies", {
      token,
      body: { movie_id: "ml-1", watched_at: "2999-01-01" },
    });
    expect(response.status).toBe(422);
    expect(response.json().issues[0].path).toBe("watched_at");
  });

  describe("a user with a film in the list", () => {
    beforeEach(async () => {
      await world.call("POST", "/movies", { token, body: { movie_id: "ml-1", rating: 6 } });
    });

    it("given the same film again, when adding, then 200 already_present and the entry unchanged", async () => {
      const response = await world.call("POST", "/movies", { token, body: { movie_id: "ml-1", rating: 2 } });
      expect(response.status).toBe(200);
      expect(response.json()).toMatchObject({ status: "already_present", entry: { rating: 6 } });
      expect((await world.call("GET", "/movies", { token })).json().total).toBe(1);
    });

    it("given a new rating, when patching, then the entry changes; null clears it", async () => {
      const rated = await world.call("PATCH", "/movies/ml-1", { token, body: { rating: 9.5 } });
      expect(rated.status).toBe(200);
      expect(rated.json().rating).toBe(9.5);
      const cleared = await world.call("PATCH", "/movies/ml-1", { token, body: { rating: null } });
      expect(cleared.json().rating).toBeUndefined();
      expect((await world.call("GET", "/movies/ml-1", { token })).json().rating).toBeUndefined();
    });

    it("given an empty or invalid patch, when patching, then 422 naming the field", async () => {
      const empty = await world.call("PATCH", "/movies/ml-1", { token, body: {} });
      const bad = await world.call("PATCH", "/movies/ml-1", { token, body: { rating: 0.3 } });
      expect([empty.status, bad.status]).toEqual([422, 422]);
      // An empty body is missing both fields, so it blames the body, not one of them.
      expect(empty.json().issues).toEqual([{ path: "", message: "give rating and/or watched_at" }]);
      expect(bad.json().issues).toHaveLength(1);
      expect(bad.json().issues[0].path).toBe("rating");
      expect(bad.json().issues[0].message).not.toMatch(/Expected|actual/);
    });

    it("given a delete, when listing, then the film is gone and a second delete is 404", async () => {
      expect((await world.call("DELETE", "/movies/ml-1", { token })).status).toBe(204);
      expect((await world.call("GET", "/movies", { token })).json()).toMatchObject({ items: [], total: 0 });
      expect((await world.call("DELETE", "/movies/ml-1", { token })).status).toBe(404);
      expect((await world.call("PATCH", "/movies/ml-1", { token, body: { rating: 1 } })).status).toBe(404);
    });

    it("given another user, when they read or change my film, then 404 and my entry is untouched", async () => {
      const bob = await signUp(world, "bob@example.com");
      const reads = await Promise.all([
        world.call("GET", "/movies/ml-1", { token: bob.token }),
        world.call("PATCH", "/movies/ml-1", { token: bob.token, body: { rating: 1 } }),
        world.call("DELETE", "/movies/ml-1", { token: bob.token }),
      ]);
      expect(reads.map((r) => r.status)).toEqual([404, 404, 404]);
      expect((await world.call("GET", "/movies", { token: bob.token })).json().total).toBe(0);
      expect((await world.call("GET", "/movies/ml-1", { token })).json().rating).toBe(6);
    });
  });

  describe("a user with five films", () => {
    beforeEach(async () => {
      for (const id of ["ml-1", "ml-2", "ml-3", "ml-4", "ml-5"]) {
        expect((await world.call("POST", "/movies", { token, body: { movie_id: id } })).status).toBe(201);
      }
    });

    it("given pages of two, when listing, then newest added first with the total", async () => {
      const first = (await world.call("GET", "/movies?offset=0&limit=2", { token })).json();
      const last = (await world.call("GET", "/movies?offset=4&limit=2", { token })).json();
      expect(first.total).toBe(5);
      expect(first.items).toHaveLength(2);
      expect(last.items).toHaveLength(1);
      const all = (await world.call("GET", "/movies?limit=100", { token })).json();
      const ids = all.items.map((e: { movie: { movie_id: string } }) => e.movie.movie_id);
      expect(new Set(ids).size).toBe(5);
      expect(first.items.map((e: { movie: { movie_id: string } }) => e.movie.movie_id)).toEqual(
        ids.slice(0, 2),
      );
    });

    it("given bad paging, when listing, then 400 naming the parameter", async () => {
      const response = await world.call("GET", "/movies?limit=0", { token });
      expect(response.status).toBe(400);
      expect(response.json().issues[0].path).toBe("limit");
      expect((await world.call("GET", "/movies?offset=-1", { token })).json().issues[0].path).toBe("offset");
    });
  });
});

describe("the catalog", () => {
  let world: World;
  beforeEach(async () => {
    world = await startWorld();
  });
  afterEach(() => world.close());

  it("given a partial title, when searching, then the film ranks first with a score", async () => {
    const response = await world.call("GET", "/catalog/search?q=toy%20sto&limit=3");
    expect(response.status).toBe(200);
    const body = response.json();
    expect(body.query).toBe("toy sto");
    expect(body.results[0].film.movie_id).toBe("ml-1");
    expect(body.results.length).toBeLessThanOrEqual(3);
  });

  it("given no query text, when searching, then 400 naming q", async () => {
    const response = await world.call("GET", "/catalog/search?q=%20");
    expect(response.status).toBe(400);
    expect(response.json().issues[0].path).toBe("q");
  });

  it("given an id, when reading a film, then 200 for a known one and 404 otherwise", async () => {
    expect((await world.call("GET", "/catalog/ml-5")).json().title).toBe("Heat");
    expect((await world.call("GET", "/catalog/ml-404")).status).toBe(404);
  });
});
