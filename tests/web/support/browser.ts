/**
 * Debian's Chromium driven by playwright-core. Playwright's own browser download cannot reach its
 * host from our machines, so the project installs the distribution's build (scripts/browser) and
 * points `executablePath` at it. A missing browser is a failure, never a skip.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

const repoRoot = join(import.meta.dirname, "..", "..", "..");
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** The flags Chromium needs on a machine with no network but loopback (see docs of the machine kind). */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export const ensureChromium = (): string => {
  if (!existsSync(CHROMIUM_PATH)) {
    try {
      execFileSync("bash", [join(repoRoot, "scripts", "browser", "ensure-chromium.sh")], {
        stdio: ["ignore", "ignore", "inherit"],
        timeout: 900_000,
      });
    } catch (cause) {
      throw new Error(
        `Chromium is missing at ${CHROMIUM_PATH} and scripts/browser/ensure-chromium.sh failed`,
        {
          cause,
        },
      );
    }
  }
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is still missing at ${CHROMIUM_PATH} after scripts/browser/ensure-chromium.sh`);
  }
  return CHROMIUM_PATH;
};

/**
 * A fresh browser. Playwright's `launch` gives every browser a new, empty user-data-dir of its own
 * (a temporary profile it deletes on close), so no test sees another run's storage.
 */
export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({ executablePath: ensureChromium(), headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });

export interface Viewport {
  readonly name: "phone" | "desktop";
  readonly width: number;
  readonly height: number;
}
export const PHONE: Viewport = { name: "phone", width: 390, height: 844 };
export const DESKTOP: Viewport = { name: "desktop", width: 1366, height: 900 };

/** A page that records every console error and uncaught exception, so a test can fail on them. */
export interface WatchedPage {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly errors: Array<string>;
}

export const openPage = async (
  browser: Browser,
  baseURL: string,
  viewport: Viewport = DESKTOP,
  colorScheme: "light" | "dark" = "light",
): Promise<WatchedPage> => {
  const context = await browser.newContext({
    baseURL,
    viewport: { width: viewport.width, height: viewport.height },
    deviceScaleFactor: 1,
    isMobile: viewport.name === "phone",
    hasTouch: viewport.name === "phone",
    colorScheme,
    locale: "en-GB",
    timezoneId: "UTC",
  });
  const page = await context.newPage();
  const errors: Array<string> = [];
  page.on("console", (message) => {
    if (message.type() === "error")
      errors.push(`console.error: ${message.text()} (${message.location().url})`);
  });
  page.on("pageerror", (error) => errors.push(`uncaught: ${error.message}`));
  return { context, page, errors };
};
