import { eventuallyAsync } from "@cinematch/adapters/testing";
import { USER_MOVIE_EVENTS_TOPIC } from "@cinematch/domain";
import { strToU8, zipSync } from "fflate";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { presentReport } from "./routes/imports.ts";
import { POLL, signUp, startWorld, type World } from "./testing/world.ts";

const diary = [
  "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date",
  "2024-01-02,Toy Story,1995,https://boxd.it/a1,4.5,,,2024-01-01",
  "2025-03-02,Toy Story,1995,https://boxd.it/a2,5,Yes,,2025-03-01",
  "2024-02-02,Leon: The Professional,1994,https://boxd.it/a3,3.5,,,2024-02-01",
  "2024-02-03,Solaris,,https://boxd.it/a4,4,,,2024-02-03",
  "2024-02-04,Portrait de la jeune fille en feu,2019,https://boxd.it/a5,5,,,2024-02-04",
].join("\n");
const watched = [
  "Date,Name,Year,Letterboxd URI",
  "2024-01-02,Toy Story,1995,https://boxd.it/f1",
  "2023-06-01,Jumanji,1995,https://boxd.it/f2",
].join("\n");
const letterboxdZip = zipSync({
  "diary.csv": strToU8(diary),
  "watched.csv": strToU8(watched),
  "profile.csv": strToU8("x\n"),
});

interface Accepted {
  readonly import_id: string;
  readonly report_url: string;
}

describe("importing a history", () => {
  let world: World;
  let token: string;
  beforeEach(async () => {
    world = await startWorld({ config: { importMaxBytes: 2048 } });
    ({ token } = await signUp(world, "importer@example.com"));
  });
  afterEach(() => world.close());

  const upload = (source: string, body: Uint8Array | string, type: string, as = token) =>
    fetch(`${world.url}/imports/${source}`, {
      method: "POST",
      headers: { authorization: `Bearer ${as}`, "content-type": type },
      body,
    });
  const finished = async (reportUrl: string) =>
    eventuallyAsync(
      async () => (await world.call("GET", reportUrl, { token })).json(),
      (report) => report.status !== "running",
      POLL,
    );
  const importOnce = async (source: string, body: Uint8Array | string, type: string) => {
    const response = await upload(source, body, type);
    expect(response.status).toBe(202);
    const accepted = (await response.json()) as Accepted;
    expect(response.headers.get("location")).toBe(accepted.report_url);
    return finished(accepted.report_url);
  };
  const myList = async () => (await world.call("GET", "/movies?limit=100", { token })).json();
  const events = async () => (await world.run(world.control.records(USER_MOVIE_EVENTS_TOPIC))).length;

  describe("a user with an empty list and a Letterboxd ZIP", () => {
    it("given the ZIP, when imported, then matched films are added with doubled stars and their latest watch, and the rest is reported with candidates", async () => {
      const report = await importOnce("letterboxd", letterboxdZip, "application/zip");
      expect(report).toMatchObject({
        status: "done",
        source: "letterboxd",
        films: 5,
        matched: 3,
        processed: 3,
        added: 3,
        already_present: 0,
        updated: 0,
        unmatched_count: 2,
      });
      const reasons = Object.fromEntries(
        report.unmatched.map((u: { title: string; reason: string }) => [u.title, u.reason]),
      );
      expect(reasons).toEqual({
        Solaris: "ambiguous",
        "Portrait de la jeune fille en feu": "not_in_catalog",
      });
      const solaris = report.unmatched.find((u: { title: string }) => u.title === "Solaris");
      expect(solaris.candidates.map((c: { film: { movie_id: string } }) => c.film.movie_id).sort()).toEqual([
        "ml-3",
        "ml-4",
      ]);
      expect(solaris).toMatchObject({ rating: 8, watched_at: "2024-02-03T00:00:00.000Z", watch_count: 1 });

      const entries = Object.fromEntries(
        (await myList()).items.map((e: { movie: { movie_id: string } }) => [e.movie.movie_id, e]),
      );
      expect(Object.keys(entries).sort()).toEqual(["ml-1", "ml-2", "ml-6"]);
      expect(entries["ml-1"]).toMatchObject({
        rating: 10,
        watched_at: "2025-03-01T00:00:00.000Z",
        watch_count: 2,
      });
      expect(entries["ml-6"].watch_count).toBeUndefined();
      expect(entries["ml-6"]).toMatchObject({ rating: 7, watched_at: "2024-02-01T00:00:00.000Z" });
      expect(entries["ml-2"].rating).toBeUndefined();
      expect(entries["ml-2"].watched_at).toBe("2023-06-01T00:00:00.000Z");
    });

    it("given the same ZIP imported twice, when the second import ends, then nothing changed and no event was made", async () => {
      await importOnce("letterboxd", letterboxdZip, "application/zip");
      const before = await myList();
      const eventsBefore = await eventuallyAsync(events, (n) => n === 3, POLL);
      const again = await importOnce("letterboxd", letterboxdZip, "application/zip");
      expect(again).toMatchObject({ status: "done", added: 0, updated: 0, already_present: 3 });
      expect(await myList()).toEqual(before);
      expect(await events()).toBe(eventsBefore);
    });

    it("given a film already rated differently in the list, when imported, then it is updated, not added again", async () => {
      await world.call("POST", "/movies", {
        token,
        body: { movie_id: "ml-6", rating: 2, watched_at: "2020-01-01" },
      });
      const report = await importOnce("letterboxd", letterboxdZip, "application/zip");
      expect(report).toMatchObject({ added: 2, updated: 1, already_present: 0 });
      const leon = (await myList()).items.find(
        (e: { movie: { movie_id: string } }) => e.movie.movie_id === "ml-6",
      );
      expect(leon).toMatchObject({ rating: 7, watched_at: "2024-02-01T00:00:00.000Z" });
    });

    it("given the diary CSV alone, when imported, then it is read by its header", async () => {
      const report = await importOnce("letterboxd", diary, "text/csv");
      expect(report).toMatchObject({ status: "done", films: 4, added: 2 });
    });
  });

  describe("a user with a Trakt export", () => {
    it("given watched and ratings files in one JSON body, when imported, then a film is found by its IMDB id whatever its title", async () => {
      const heat = {
        title: "Heat (Director's Definitive Edition)",
        year: 1995,
        ids: { trakt: 8, imdb: "tt0113277", tmdb: 949 },
      };
      const body = JSON.stringify({
        "watched-movies.json": [{ plays: 2, last_watched_at: "2024-05-01T20:00:00.000Z", movie: heat }],
        "ratings-movies.json": [
          { rated_at: "2024-05-02T08:00:00.000Z", rating: 9, type: "movie", movie: heat },
        ],
      });
      const report = await importOnce("trakt", body, "application/json");
      expect(report).toMatchObject({ status: "done", films: 1, matched: 1, added: 1 });
      expect((await myList()).items[0]).toMatchObject({
        movie: { movie_id: "ml-5" },
        rating: 9,
        watched_at: "2024-05-01T20:00:00.000Z",
      });
    });
  });

  describe("bad uploads", () => {
    it("given a CSV that is no Letterboxd file, when uploaded, then 422 says why and no import starts", async () => {
      const response = await upload("letterboxd", "a,b\n1,2\n", "text/csv");
      expect(response.status).toBe(422);
      expect(((await response.json()) as { message: string }).message).toMatch(/not a Letterboxd/);
    });

    it("given a broken ZIP, when uploaded, then 422", async () => {
      const response = await upload("trakt", letterboxdZip.slice(0, 40), "application/zip");
      expect(response.status).toBe(422);
    });

    it("given an export over the size bound, when uploaded, then 413", async () => {
      const response = await upload("letterboxd", "x".repeat(3000), "text/csv");
      expect(response.status).toBe(413);
    });

    it("given an image, when uploaded, then 415", async () => {
      expect((await upload("letterboxd", "GIF89a", "image/gif")).status).toBe(415);
    });

    it("given another method on an import route, when called, then 405 allows only that route's own method", async () => {
      for (const method of ["OPTIONS", "GET"]) {
        const response = await world.call(method, "/imports/letterboxd", { token });
        expect(response.status).toBe(405);
        expect(response.headers.get("allow")).toBe("POST");
      }
    });

    it("given no token, when uploaded, then 401", async () => {
      expect((await upload("letterboxd", diary, "text/csv", "nope")).status).toBe(401);
    });

    it("given another user's import id, when asked for, then 404", async () => {
      const accepted = (await (await upload("letterboxd", diary, "text/csv")).json()) as Accepted;
      const other = await signUp(world, "other@example.com");
      expect((await world.call("GET", accepted.report_url, { token: other.token })).status).toBe(404);
      await finished(accepted.report_url);
    });
  });
});

describe("an import whose API process ended", () => {
  const running = {
    import_id: "imp-1",
    source: "letterboxd",
    status: "running",
    created_at: 0,
    updated_at: 10_000,
    films: 3,
    matched: 3,
    processed: 1,
    added: 1,
    already_present: 0,
    updated: 0,
    unmatched_count: 0,
    unmatched: [],
    problems: [],
    problem_count: 0,
  } as const;

  it("given a running report saved within the stall bound, when read, then it is running", () => {
    expect(presentReport(running, 10_000 + 60_000, 60_000)).toBe(running);
  });

  it("given a running report not saved for longer than the bound, when read, then it is reported stopped, saying how to finish it", () => {
    const shown = presentReport(running, 10_000 + 60_001, 60_000);
    expect(shown.status).toBe("failed");
    expect(shown.error).toMatch(/importing the same file again finishes it/);
  });

  it("given a finished report however old, when read, then it is as saved", () => {
    const done = { ...running, status: "done" as const };
    expect(presentReport(done, 10_000_000, 60_000)).toBe(done);
  });
});
