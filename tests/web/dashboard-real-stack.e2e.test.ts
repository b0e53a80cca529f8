/**
 * The dashboard in a real headless Chromium against the real stack: the API and both runners as
 * separate processes against the Kafka broker and MongoDB-wire server of `KAFKA_BOOTSTRAP_SERVERS`
 * and `MONGODB_URL` (unset: the test fails, it never skips), with a database and a topic of this
 * run's own so earlier runs cannot move the trends it watches.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, it } from "vitest";
import { DESKTOP, launchBrowser, openPage, PHONE, type WatchedPage } from "./support/browser.ts";
import { expectNoConsoleErrors, liveJourney } from "./support/flow.ts";
import { startAll } from "./support/processes.ts";
import { type Product, startRealStack, withProductLogs } from "./support/product.ts";

let browser: Browser;
let product: Product;
const pages: WatchedPage[] = [];

beforeAll(async () => {
  await startAll([launchBrowser(), startRealStack()] as const, ([b, p]) => {
    if (b) browser = b;
    if (p) product = p;
  });
}, 300_000);

afterAll(async () => {
  await Promise.all(pages.map((p) => p.context.close().catch(() => {})));
  await browser?.close();
  await product?.stop();
});

describe("the dashboard on the real stack (Kafka + MongoDB-wire, three processes)", () => {
  it("given a new user and another user watching the trends, when she finds a film by typing its title without accents, adds it with a rating, re-rates and removes it, then her statistics and the other browser's trends change on screen without a reload", async () => {
    const alice = await openPage(browser, product.baseURL, DESKTOP);
    const bob = await openPage(browser, product.baseURL, PHONE);
    pages.push(alice, bob);
    await withProductLogs(product, () =>
      liveJourney(alice, bob, { query: "leon", pick: /^Léon/, log: (line) => console.info(line) }),
    );
    expectNoConsoleErrors(alice, bob);
  }, 240_000);
});
