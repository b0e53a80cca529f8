/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The user journey both browser suites walk, against whichever product (embedded default or real
 * stack) they started: sign up, find a film by typing its title without accents, add it with a
 * rating, see the statistics change on screen, change the rating, remove it, see the statistics
 * change back, while another user's browser watches the community trends move. Every wait polls
 * the page for a condition; nothing sleeps.
 */
import type { Page } from "playwright-core";
import { expect } from "vitest";
import type { WatchedPage } from "./browser.ts";

/** How long a live change may take before the test gives up. Generous for a loaded CI machine; the
 *  measured times are printed, and the speed itself belongs in benchmarks, not in a timed test. */
export const LIVE_TIMEOUT_MS = 20_000;

export const uniqueEmail = (prefix: string) =>
  `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}@example.com`;

export const PASSWORD = "correct horse battery staple";

export const signUp = async (page: Page, email: string) => {
  await page.goto("/#/signup");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.getByRole("heading", { name: "My films" }).waitFor();
  await expect.poll(() => page.getByTestId("who").getAttribute("title")).toBe(email);
};

export interface TrendsSnapshot {
  readonly total: number;
  readonly counts: ReadonlyMap<string, number>;
  readonly updated: string;
}

/** What the trends screen shows right now (total films in the window, and each top film's count). */
export const readTrends = (page: Page): Promise<TrendsSnapshot | null> =>
  page.evaluate(() => {
    const total = document.querySelector('[data-testid="trends-total"]');
    if (!total) return null;
    const counts = new Map<string, number>();
    for (const item of document.querySelectorAll<HTMLElement>('[data-testid="top-films"] > li')) {
      const count = item.querySelector('[data-testid="top-count"]')?.textContent ?? "";
      counts.set(item.dataset.movieId ?? "", Number.parseInt(count.replace(/[^\d]/g, ""), 10));
    }
    return {
      total: Number.parseInt((total.textContent ?? "").replace(/[^\d]/g, ""), 10),
      counts,
      updated: document.querySelector('[data-testid="trends-updated"] time')?.getAttribute("datetime") ?? "",
    };
  });

/** The text of one headline statistic (`total-watched`, `avg-rating`, ...), or null when not shown. */
export const statText = (page: Page, key: string): Promise<string | null> =>
  page.evaluate(
    (testId) => document.querySelector(`[data-testid="${testId}"]`)?.textContent?.trim() ?? null,
    `stat-${key}`,
  );

export const waitForStat = async (page: Page, key: string, expected: string, what: string) => {
  const started = Date.now();
  await page
    .waitForFunction(
      ([testId, value]) => document.querySelector(`[data-testid="${testId}"]`)?.textContent?.trim() === value,
      [`stat-${key}`, expected] as const,
      { timeout: LIVE_TIMEOUT_MS, polling: 100 },
    )
    .catch(async (cause) => {
      throw new Error(`${what}: stat-${key} never showed ${expected} (shows ${await statText(page, key)})`, {
        cause,
      });
    });
  return Date.now() - started;
};

/** Marks the page, so a later check proves it was never reloaded (the change arrived live). */
export const markPage = (page: Page) =>
  page.evaluate(() => {
    (window as unknown as { __cinematchMark?: number }).__cinematchMark = 4242;
  });
export const wasNotReloaded = (page: Page) =>
  page.evaluate(() => (window as unknown as { __cinematchMark?: number }).__cinematchMark === 4242);

export interface FlowOptions {
  /** What the user types: a title without its accents. */
  readonly query: string;
  /** The result to pick, with its accents. */
  readonly pick: RegExp;
  readonly log?: (line: string) => void;
}

export const expectNoConsoleErrors = (...pages: ReadonlyArray<WatchedPage>) => {
  for (const watched of pages) expect(watched.errors).toEqual([]);
};

/**
 * The whole journey. `alice` adds and removes a film; `bob` (another user, another browser context)
 * keeps the community trends open and must see them move without reloading.
 */
export const liveJourney = async (alice: WatchedPage, bob: WatchedPage, options: FlowOptions) => {
  const log = options.log ?? (() => {});
  const a = alice.page;
  const b = bob.page;

  // Bob: another account, looking at the trends (all time, so nothing falls out of the window).
  await signUp(b, uniqueEmail("bob"));
  await b.getByRole("link", { name: "Trends" }).click();
  await b.getByRole("heading", { name: "Community trends" }).waitFor();
  await b.getByRole("button", { name: "All time" }).click();
  await expect
    .poll(() => b.getByRole("button", { name: "All time" }).getAttribute("aria-pressed"))
    .toBe("true");
  // Either the trends of earlier activity or the "not computed yet" state: both are a settled screen.
  await b.waitForFunction(
    () =>
      document.querySelector('[data-testid="trends-total"]') !== null ||
      document.body.textContent?.includes("have not been computed yet") === true,
    undefined,
    { timeout: LIVE_TIMEOUT_MS },
  );
  const trendsBefore = await readTrends(b);
  log(`bob sees trends before: ${trendsBefore ? `${trendsBefore.total} films` : "not computed yet"}`);
  await markPage(b);

  // Alice: a new account starts with an empty list and no statistics.
  await signUp(a, uniqueEmail("alice"));
  await a.getByText("Your list is empty").waitFor();
  await markPage(a);

  // She types the title without accents, and the catalog finds the accented one.
  const search = a.getByLabel("Search the catalog");
  await search.pressSequentially(options.query, { delay: 40 });
  const result = a
    .getByRole("list", { name: "Search results" })
    .getByRole("button", { name: options.pick })
    .first();
  await result.waitFor({ timeout: LIVE_TIMEOUT_MS });
  const chosenTitle = (await result.locator(".result-title").textContent())?.trim() ?? "";
  log(`alice typed "${options.query}" and picked "${chosenTitle}"`);
  expect(chosenTitle).toMatch(options.pick);
  await result.click();
  // Keyboard path: the rating select has focus after choosing a film.
  await expect.poll(() => a.evaluate(() => document.activeElement?.id)).toBe("add-rating");
  await a.getByLabel("Your rating").selectOption("9");
  const addedAt = Date.now();
  await a.getByRole("button", { name: "Add to my films" }).click();
  await a
    .getByTestId("films-status")
    .getByText(/^Added /)
    .waitFor();
  const row = a.getByTestId("my-films").locator("li", { hasText: chosenTitle });
  await row.waitFor();
  const movieId = (await row.getAttribute("data-movie-id")) ?? "";
  expect(movieId).not.toBe("");

  // Her statistics change on screen, live (the page is not reloaded).
  await waitForStat(a, "total-watched", "1", "after adding");
  log(`alice's statistics showed the added film after ${Date.now() - addedAt} ms`);
  await waitForStat(a, "avg-rating", "9", "after adding with a rating of 9");

  // Bob's trends move without a reload: one more film in the window, and this one is counted.
  await b
    .waitForFunction(
      ([before, id]) => {
        const total = document.querySelector('[data-testid="trends-total"]');
        if (!total) return false;
        const now = Number.parseInt((total.textContent ?? "").replace(/[^\d]/g, ""), 10);
        const listed =
          document.querySelector(`[data-testid="top-films"] > li[data-movie-id="${id}"]`) !== null;
        const roomInTop10 = document.querySelectorAll('[data-testid="top-films"] > li').length < 10;
        return now >= before + 1 && (listed || !roomInTop10);
      },
      [trendsBefore?.total ?? 0, movieId] as const,
      { timeout: LIVE_TIMEOUT_MS, polling: 100 },
    )
    .catch(async (cause) => {
      throw new Error(`bob's trends never moved: ${JSON.stringify(await readTrends(b))}`, { cause });
    });
  log(
    `bob's trends moved after ${Date.now() - addedAt} ms: ${JSON.stringify((await readTrends(b))?.total)} films`,
  );

  // The full statistics screen draws the film.
  await a.getByRole("link", { name: "My statistics" }).click();
  await a.getByRole("heading", { name: "My statistics" }).waitFor();
  await a.getByRole("list", { name: "My top rated films" }).getByText(chosenTitle).waitFor();
  await expect.poll(() => statText(a, "rated")).toBe("1");

  // Changing the rating changes the average, live.
  await a.getByRole("link", { name: "My films" }).click();
  await a.getByLabel(`Rating for ${chosenTitle}`, { exact: false }).selectOption("7");
  await a
    .getByTestId("films-status")
    .getByText(/^Rated /)
    .waitFor();
  await waitForStat(a, "avg-rating", "7", "after changing the rating to 7");

  // Removing it brings the statistics back to an empty list.
  const removedAt = Date.now();
  await a.getByRole("button", { name: new RegExp(`^Remove ${escapeRegExp(chosenTitle)}`) }).click();
  await a
    .getByTestId("films-status")
    .getByText(/^Removed /)
    .waitFor();
  await a.getByText("Your list is empty").waitFor();
  await waitForStat(a, "total-watched", "0", "after removing");
  log(`alice's statistics showed the removal after ${Date.now() - removedAt} ms`);
  await a.getByRole("link", { name: "My statistics" }).click();
  await a.getByText("Your list is empty, so there is nothing to count yet").waitFor();

  // And Bob's trends move back.
  await b.waitForFunction(
    (before) => {
      const total = document.querySelector('[data-testid="trends-total"]');
      if (!total) return before === 0;
      return Number.parseInt((total.textContent ?? "").replace(/[^\d]/g, ""), 10) <= before;
    },
    trendsBefore?.total ?? 0,
    { timeout: LIVE_TIMEOUT_MS, polling: 100 },
  );
  log(`bob's trends moved back after ${Date.now() - removedAt} ms`);

  expect(await wasNotReloaded(a)).toBe(true);
  expect(await wasNotReloaded(b)).toBe(true);
  return { movieId, chosenTitle };
};

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
