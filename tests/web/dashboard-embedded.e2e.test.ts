/**
 * The dashboard in a real headless Chromium against the embedded default (`apps/cinematch`: API,
 * both runners and the dashboard in one process, in memory, demo catalog), started here on a free
 * port. Any console error or uncaught exception in the page fails the test.
 */
import { describe, expect, it } from "vitest";
import { DESKTOP, PHONE } from "./support/browser.ts";
import { dashboardForFile } from "./support/dashboard.ts";
import {
  expectNoConsoleErrors,
  LIVE_TIMEOUT_MS,
  liveJourney,
  signUp,
  uniqueEmail,
  waitForStat,
} from "./support/flow.ts";
import { startEmbeddedDefault, withProductLogs } from "./support/product.ts";

// Cheaper password hashing: these tests sign several users up on a shared 2-core machine.
const dashboard = dashboardForFile(() => startEmbeddedDefault({ CINEMATCH_SCRYPT_N: "16384" }));
const { open } = dashboard;

describe("the dashboard on the embedded default", () => {
  it("given a new user and another user watching the trends, when she finds a film by typing its title without accents, adds it with a rating, re-rates and removes it, then her statistics and the other browser's trends change on screen without a reload", async () => {
    const alice = await open(DESKTOP);
    const bob = await open(PHONE);
    await withProductLogs(dashboard.product, () =>
      liveJourney(alice, bob, { query: "leon", pick: /^Léon/, log: (line) => console.info(line) }),
    );
    expectNoConsoleErrors(alice, bob);
  }, 240_000);

  it("given the live stream is unavailable, when a film is added, then the page falls back to polling and still shows the new statistics without a reload", async () => {
    const carol = await open(DESKTOP);
    // The stream cannot be opened: the browser reports the failed request, which is this test's point.
    await carol.page.route(
      (url) => url.pathname === "/live",
      (route) => route.abort("connectionrefused"),
    );
    await signUp(carol.page, uniqueEmail("carol"));
    await carol.page
      .getByTestId("live-mode")
      .and(carol.page.locator(".polling"))
      .waitFor({ timeout: LIVE_TIMEOUT_MS });
    await carol.page.getByLabel("Search the catalog").fill("matrix");
    await carol.page
      .getByRole("list", { name: "Search results" })
      .getByRole("button", { name: /^The Matrix/ })
      .first()
      .click();
    await carol.page.getByRole("button", { name: "Add to my films" }).click();
    await waitForStat(carol.page, "total-watched", "1", "with polling only");
    const unexpected = carol.errors.filter((error) => !/\/live|ERR_CONNECTION_REFUSED/.test(error));
    expect(unexpected).toEqual([]);
  }, 120_000);

  it("given the server stops answering, when the page refreshes, then the badge and the trends say it cannot be reached, and both recover when it is back", async () => {
    const dave = await open(DESKTOP);
    const { page } = dave;
    // No live stream, so the page polls; then the polls fail too, as with the process gone.
    const isLive = (url: URL) => url.pathname === "/live";
    const isTrends = (url: URL) => url.pathname.startsWith("/trends");
    await page.route(isLive, (route) => route.abort("connectionrefused"));
    await page.goto("/");
    await page.getByTestId("trends-total").or(page.getByText("have not been computed yet")).waitFor({
      timeout: LIVE_TIMEOUT_MS,
    });
    const hadTrends = (await page.getByTestId("trends-total").count()) > 0;
    await page.route(isTrends, (route) => route.abort("connectionrefused"));
    const badge = page.getByTestId("live-mode");
    const offline = badge.and(page.locator(".offline"));
    await offline.waitFor({ timeout: LIVE_TIMEOUT_MS });
    expect(await badge.textContent()).toContain("Offline");
    expect(await badge.getAttribute("title")).toContain("cannot be reached");
    if (hadTrends) await page.getByTestId("trends-offline").waitFor();

    await page.unroute(isTrends);
    await offline.waitFor({ state: "detached", timeout: LIVE_TIMEOUT_MS });
    expect(await badge.textContent()).toContain("Polling");
    await expect.poll(() => page.getByTestId("trends-offline").count()).toBe(0);
    const unexpected = dave.errors.filter((error) => !/ERR_CONNECTION_REFUSED|\/live|\/trends/.test(error));
    expect(unexpected).toEqual([]);
  }, 120_000);

  it("given a film without a running time in her list, when she removes it and presses Undo, then the list says its time is unknown and it comes back with its rating", async () => {
    const erin = await open(DESKTOP);
    const { page } = erin;
    await signUp(page, uniqueEmail("erin"));
    await page.getByLabel("Search the catalog").fill("mad max 2");
    await page
      .getByRole("list", { name: "Search results" })
      .getByRole("button", { name: /Road Warrior/ })
      .first()
      .click();
    await page.getByLabel("Your rating").selectOption("8");
    await page.getByRole("button", { name: "Add to my films" }).click();
    const row = page.getByTestId("my-films").locator("li", { hasText: "Road Warrior" });
    await row.getByTestId("no-runtime").waitFor();
    expect(await row.getByTestId("no-runtime").textContent()).toContain("running time unknown");

    await row.getByRole("button", { name: /^Remove / }).click();
    await page
      .getByTestId("films-status")
      .getByText(/^Removed /)
      .waitFor();
    await page.getByText("Your list is empty").waitFor();
    await page.getByTestId("films-status-action").click();
    await page
      .getByTestId("films-status")
      .getByText(/^Put .* back/)
      .waitFor();
    await row.waitFor();
    expect(await row.getByRole("combobox").inputValue()).toBe("8");
    expectNoConsoleErrors(erin);
  }, 120_000);

  it("given a keyboard user on a phone-width screen, when she tabs through the trends screen, then every control is reachable with a visible focus and nothing is wider than the screen", async () => {
    const dave = await open(PHONE);
    await dave.page.goto("/");
    await dave.page.getByRole("heading", { name: "Community trends" }).waitFor();
    const focused: string[] = [];
    for (let i = 0; i < 12; i++) {
      await dave.page.keyboard.press("Tab");
      const info = await dave.page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return null;
        const style = getComputedStyle(el);
        return {
          name: (el.getAttribute("aria-label") ?? el.textContent ?? "").trim(),
          outlined: style.outlineStyle !== "none" && Number.parseFloat(style.outlineWidth) > 0,
        };
      });
      if (info) {
        expect(info.outlined, `focus ring on "${info.name}"`).toBe(true);
        focused.push(info.name);
      }
    }
    expect(focused).toEqual(
      expect.arrayContaining(["Trends", "My films", "My statistics", "7 days", "All time"]),
    );
    // Keyboard activation of the window switch.
    await dave.page.getByRole("button", { name: "7 days" }).focus();
    await dave.page.keyboard.press("Enter");
    await expect
      .poll(() => dave.page.getByRole("button", { name: "7 days" }).getAttribute("aria-pressed"))
      .toBe("true");
    for (const route of ["/", "/#/signup"]) {
      await dave.page.goto(route);
      await dave.page.getByRole("heading").first().waitFor();
      expect(await dave.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        PHONE.width,
      );
    }
    expectNoConsoleErrors(dave);
  }, 120_000);
});
