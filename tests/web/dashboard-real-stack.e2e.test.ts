/**
 * The dashboard in a real headless Chromium against the real stack: the API and both runners as
 * separate processes against the Kafka broker and MongoDB-wire server of `KAFKA_BOOTSTRAP_SERVERS`
 * and `MONGODB_URL` (unset: the test fails, it never skips), with a database and a topic of this
 * run's own so earlier runs cannot move the trends it watches.
 */
import { describe, it } from "vitest";
import { DESKTOP, PHONE } from "./support/browser.ts";
import { dashboardForFile } from "./support/dashboard.ts";
import { expectNoConsoleErrors, liveJourney } from "./support/flow.ts";
import { startRealStack, withProductLogs } from "./support/product.ts";

const dashboard = dashboardForFile(startRealStack);

describe("the dashboard on the real stack (Kafka + MongoDB-wire, three processes)", () => {
  it("given a new user and another user watching the trends, when she finds a film by typing its title without accents, adds it with a rating, re-rates and removes it, then her statistics and the other browser's trends change on screen without a reload", async () => {
    const alice = await dashboard.open(DESKTOP);
    const bob = await dashboard.open(PHONE);
    await withProductLogs(dashboard.product, () =>
      liveJourney(alice, bob, { query: "leon", pick: /^Léon/, log: (line) => console.info(line) }),
    );
    expectNoConsoleErrors(alice, bob);
  }, 240_000);
});
