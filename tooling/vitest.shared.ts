import { basename, join } from "node:path";
import { defineConfig } from "vitest/config";

/** One vitest setup for every workspace: a default reporter, plus a JSON report the test script adds up. */
export const vitestConfig = (packageDir: string) => {
  const results = process.env.CINEMATCH_TEST_RESULTS;
  const tier = process.argv.find((arg) => /^\.(unit|int|e2e)\.test\.$/.test(arg))?.slice(1, -6) ?? "all";
  return defineConfig({
    test: {
      include: ["src/**/*.test.ts", "test/**/*.test.ts", "*.test.ts", "**/*.test.ts"],
      exclude: ["**/node_modules/**", "**/dist/**"],
      testTimeout: 30_000,
      hookTimeout: 120_000,
      reporters: results ? ["default", "json"] : ["default"],
      ...(results ? { outputFile: { json: join(results, `${basename(packageDir)}-${tier}.json`) } } : {}),
    },
  });
};
