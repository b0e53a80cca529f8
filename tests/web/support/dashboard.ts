import type { Browser } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { launchBrowser, openPage, type WatchedPage } from "./browser.ts";
import { startAll } from "./processes.ts";
import type { Product } from "./product.ts";

type OpenArgs = Parameters<typeof openPage> extends [unknown, unknown, ...infer Rest] ? Rest : never;

/** What a browser test file works with: the product, the browser, and pages of the product. */
export interface Dashboard {
  readonly product: Product;
  readonly browser: Browser;
  /** A new page of the product (its own context), closed after the file's tests. */
  readonly open: (...args: OpenArgs) => Promise<WatchedPage>;
}

/**
 * Starts a headless browser and the product side by side before the file's tests (either failing
 * stops the other), and closes every page opened, the browser and the product after them.
 */
export const dashboardForFile = (startProduct: () => Promise<Product>): Dashboard => {
  let browser: Browser | undefined;
  let product: Product | undefined;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    await startAll([launchBrowser(), startProduct()] as const, ([b, p]) => {
      if (b) browser = b;
      if (p) product = p;
    });
  }, 300_000);

  afterAll(async () => {
    await Promise.all(pages.map((p) => p.context.close().catch(() => {})));
    await browser?.close();
    await product?.stop();
  });

  const started = <A>(value: A | undefined, what: string): A => {
    if (value === undefined) throw new Error(`the ${what} did not start (see the file's beforeAll)`);
    return value;
  };
  return {
    get product() {
      return started(product, "product");
    },
    get browser() {
      return started(browser, "browser");
    },
    open: async (...args) => {
      const watched = await openPage(
        started(browser, "browser"),
        started(product, "product").baseURL,
        ...args,
      );
      pages.push(watched);
      return watched;
    },
  };
};
