/**
 * Screenshots of the main screens at phone (390×844) and desktop (1366×900) widths, taken in a
 * real headless Chromium against the embedded default after a few users have added films. They
 * go to `.cache/screenshots/`; with `CINEMATCH_UPDATE_SCREENSHOTS=1` to `docs/screenshots/`, which
 * the README shows. Each screen is also checked: no console error, nothing wider than the screen.
 */
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { DESKTOP, PHONE, type Viewport } from "./support/browser.ts";
import { dashboardForFile } from "./support/dashboard.ts";
import { expectNoConsoleErrors, LIVE_TIMEOUT_MS, PASSWORD } from "./support/flow.ts";
import { repoRoot } from "./support/processes.ts";
import { startEmbeddedDefault } from "./support/product.ts";
import { addFilmsOverHttp, CINEPHILE, CROWD, signUpOverHttp } from "./support/seed.ts";

const outDir =
  process.env.CINEMATCH_UPDATE_SCREENSHOTS === "1"
    ? join(repoRoot, "docs", "screenshots")
    : join(repoRoot, ".cache", "screenshots");

// Cheaper password hashing: these tests sign several users up on a shared 2-core machine.
const dashboard = dashboardForFile(() => startEmbeddedDefault({ CINEMATCH_SCRYPT_N: "16384" }));
const email = "ada@example.com";
/** A film each width's run pushes up the top 10 (added once by the seed users). */
const MOVERS = {
  phone: { title: "Fargo", year: 1996 },
  desktop: { title: "Casablanca" },
} as const;

beforeAll(async () => {
  const { product } = dashboard;
  mkdirSync(outDir, { recursive: true });
  const token = await signUpOverHttp(product.baseURL, email);
  await addFilmsOverHttp(product.baseURL, token, CINEPHILE);
  for (const [i, films] of CROWD.entries()) {
    await addFilmsOverHttp(
      product.baseURL,
      await signUpOverHttp(product.baseURL, `crowd${i}@example.com`),
      films,
    );
  }
}, 300_000);

const shoot = async (page: Page, name: string, viewport: Viewport) => {
  // Nothing wider than the screen (a phone would otherwise scroll sideways).
  expect(
    await page.evaluate(() => document.documentElement.scrollWidth),
    `${name} width`,
  ).toBeLessThanOrEqual(viewport.width);
  // Each chart's shown axis labels fit side by side (on a phone, month names ran into each other).
  const crowded = await page.evaluate(() => {
    const found: string[] = [];
    for (const chart of document.querySelectorAll(".columns")) {
      const shown = [...chart.querySelectorAll<HTMLElement>(".column-label")]
        .filter((label) => getComputedStyle(label).visibility !== "hidden" && label.textContent?.trim())
        .map((label) => {
          const text = document.createRange();
          text.selectNodeContents(label);
          const box = text.getBoundingClientRect();
          return { text: label.textContent, left: box.left, right: box.right };
        });
      shown.forEach((label, i) => {
        const before = shown[i - 1];
        if (before !== undefined && label.left < before.right - 0.5)
          found.push(`${chart.getAttribute("aria-label")}: "${before.text}" runs into "${label.text}"`);
      });
    }
    return found;
  });
  expect(crowded, `${name}: chart labels`).toEqual([]);
  const path = join(outDir, `${name}-${viewport.name}.png`);
  await page.screenshot({ path, fullPage: true, animations: "disabled", caret: "hide" });
  expect(statSync(path).size).toBeGreaterThan(10_000);
};

const logIn = async (page: Page) => {
  await page.goto("/#/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("heading", { name: "My films" }).waitFor();
};

describe.each([PHONE, DESKTOP])("the main screens at $name width ($width×$height)", (viewport) => {
  it("given users who added films, when each screen is shown, then it renders every part without console errors and is saved as a screenshot", async () => {
    const watched = await dashboard.open(viewport);
    const { page } = watched;
    try {
      await page.goto("/");
      await page.getByTestId("top-films").locator("li").nth(4).waitFor({ timeout: LIVE_TIMEOUT_MS });
      await page.getByRole("list", { name: "Trending genres" }).waitFor();
      // Two more people add a film from the bottom of the top 10: it climbs, live, with its rank change shown.
      const climber = MOVERS[viewport.name];
      for (const i of [1, 2]) {
        const token = await signUpOverHttp(
          dashboard.product.baseURL,
          `${viewport.name}-mover${i}@example.com`,
        );
        await addFilmsOverHttp(dashboard.product.baseURL, token, [{ ...climber, daysAgo: 0 }]);
      }
      const row = page.getByTestId("top-films").locator("li", { hasText: climber.title });
      await expect
        .poll(() => row.locator(".rank-change").getAttribute("class"), { timeout: LIVE_TIMEOUT_MS })
        .toMatch(/\b(up|new)\b/);
      await shoot(page, "trends", viewport);

      await page.goto("/#/signup");
      await page.getByRole("heading", { name: "Create your account" }).waitFor();
      await shoot(page, "signup", viewport);

      await logIn(page);
      await page.getByTestId("my-films").locator("li").nth(9).waitFor();
      await page.getByLabel("Search the catalog").fill("leon");
      await page.getByRole("list", { name: "Search results" }).getByRole("button").first().click();
      await page.getByLabel("Your rating").selectOption("9");
      // Removing a film offers Undo in the status line: the screenshot shows it, then it is undone.
      const first = page.getByTestId("my-films").locator("li").first();
      await first.getByRole("button", { name: /^Remove / }).click();
      await page.getByTestId("films-status-action").waitFor();
      await shoot(page, "films", viewport);
      await page.getByTestId("films-status-action").click();
      await page
        .getByTestId("films-status")
        .getByText(/^Put .* back/)
        .waitFor();

      await page.getByRole("link", { name: "My statistics" }).click();
      await page.getByRole("list", { name: "My top rated films" }).waitFor({ timeout: LIVE_TIMEOUT_MS });
      await expect
        .poll(() => page.getByTestId("stat-total-watched").textContent())
        .toBe(String(CINEPHILE.length));
      await shoot(page, "stats", viewport);
      expectNoConsoleErrors(watched);
    } finally {
      await watched.context.close();
    }
  }, 180_000);
});
