/**
 * The "Import your history" screen in a real headless Chromium against the embedded default (its
 * demo catalog): a Letterboxd diary chosen in the drop zone's file input is uploaded, the progress
 * bar fills, the report counts what was added and lists the films not matched with candidates, and
 * picking a candidate adds that film with the export's rating and date. At phone and desktop widths,
 * with a screenshot of each report (`.cache/screenshots/`, or `docs/screenshots/` with
 * CINEMATCH_UPDATE_SCREENSHOTS=1); no console error, nothing wider than the screen.
 */
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DESKTOP, launchBrowser, openPage, PHONE } from "./support/browser.ts";
import { expectNoConsoleErrors, PASSWORD } from "./support/flow.ts";
import { repoRoot, startAll } from "./support/processes.ts";
import { type Product, startEmbeddedDefault } from "./support/product.ts";
import { signUpOverHttp } from "./support/seed.ts";

const outDir =
  process.env.CINEMATCH_UPDATE_SCREENSHOTS === "1"
    ? join(repoRoot, "docs", "screenshots")
    : join(repoRoot, ".cache", "screenshots");

/** Four films the demo catalog has, one of them watched twice; two titles it has several of; one it lacks. */
const DIARY = [
  "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date",
  "2024-01-03,Fight Club,1999,https://boxd.it/a1,4.5,,,2024-01-02",
  "2024-02-03,The Matrix,1999,https://boxd.it/a2,4,,,2024-02-02",
  "2023-03-05,Fargo,1996,https://boxd.it/a3,3.5,,,2023-03-04",
  "2025-03-05,Fargo,1996,https://boxd.it/a4,4,Yes,,2025-03-04",
  "2024-04-05,Inception,2010,https://boxd.it/a5,5,,,2024-04-04",
  "2024-05-05,Hamlet,,https://boxd.it/a6,2.5,,,2024-05-04",
  "2024-06-05,King Kong,,https://boxd.it/a7,3,,,2024-06-04",
  "2024-07-05,Parasite,2019,https://boxd.it/a8,5,,,2024-07-04",
].join("\n");

let browser: Browser;
let product: Product;

beforeAll(async () => {
  // Cheaper password hashing, as the real-stack tests use: sign-up and log-in on a busy 2-core machine.
  await startAll(
    [launchBrowser(), startEmbeddedDefault({ CINEMATCH_SCRYPT_N: "16384" })] as const,
    ([b, p]) => {
      if (b) browser = b;
      if (p) product = p;
    },
  );
  mkdirSync(outDir, { recursive: true });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await product?.stop();
});

describe.each([PHONE, DESKTOP])("the import screen at $name width", (viewport) => {
  it("given a Letterboxd diary, when dropped in and an unmatched film is resolved, then the report shows the counts and the picked film joins my list", async () => {
    const email = `importer-${viewport.name}@example.com`;
    await signUpOverHttp(product.baseURL, email);
    const watched = await openPage(browser, product.baseURL, viewport);
    const { page } = watched;
    try {
      await page.goto("/#/login");
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Log in" }).click();
      await page.getByRole("heading", { name: "My films" }).waitFor();
      await page.getByRole("link", { name: "Import from Letterboxd or Trakt" }).click();
      await page.getByRole("heading", { name: "Import your history" }).waitFor();

      await page.getByLabel("Letterboxd").check();
      await page.getByLabel("Export file").setInputFiles({
        name: "diary.csv",
        mimeType: "text/csv",
        buffer: Buffer.from(DIARY),
      });
      const report = page.getByTestId("import-report");
      await report.getByRole("heading", { name: "Imported" }).waitFor({ timeout: 30_000 });
      const count = (label: string) =>
        report.getByTestId("import-counts").locator("div", { hasText: label }).locator("dd").textContent();
      expect(await count("Films in the export")).toBe("7");
      expect(await count("Added")).toBe("4");
      expect(await count("Not matched")).toBe("3");
      const progress = page.getByTestId("import-progress");
      expect(await progress.getAttribute("value")).toBe(await progress.getAttribute("max"));

      const notMatched = page.getByRole("list", { name: "Films not matched" });
      await expect.poll(() => notMatched.locator("li").count()).toBe(3);
      expect(await notMatched.locator("li", { hasText: "Parasite (2019)" }).textContent()).toContain(
        "Not in the catalog",
      );
      const path = join(outDir, `import-${viewport.name}.png`);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        viewport.width,
      );
      await page.screenshot({ path, fullPage: true, animations: "disabled", caret: "hide" });
      expect(statSync(path).size).toBeGreaterThan(10_000);

      // Resolve "Hamlet" (no year in the export; the catalog has several) by picking one.
      const hamlet = notMatched.locator("li", { hasText: "Hamlet" });
      const firstCandidate = hamlet.getByRole("button").first();
      const picked = ((await firstCandidate.textContent()) ?? "").trim();
      await firstCandidate.click();
      await expect.poll(() => hamlet.getByTestId("resolved").textContent()).toBe(`Added as ${picked}`);

      await page.getByRole("link", { name: "My films" }).click();
      const list = page.getByTestId("my-films");
      await expect.poll(() => list.locator("li").count()).toBe(5);
      expect(await list.textContent()).toContain(picked);
      expect(await list.locator("li", { hasText: "Fargo" }).textContent()).toContain("4 Mar 2025");
      expectNoConsoleErrors(watched);
    } finally {
      await watched.context.close();
    }
  }, 180_000);
});
