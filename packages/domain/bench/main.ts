// `npm run bench` (domain part): runs every `*.bench.ts` beside this file, one after another.
import { readdirSync } from "node:fs";

const here = new URL(".", import.meta.url);
const files = readdirSync(here)
  .filter((name) => name.endsWith(".bench.ts"))
  .sort();
if (files.length === 0) throw new Error("no *.bench.ts files found in packages/domain/bench");
for (const file of files) {
  const module = (await import(new URL(file, here).href)) as { run: () => Promise<void> | void };
  await module.run();
}
