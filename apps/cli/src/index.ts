export { dispatch, USAGE } from "./main.ts";
export * from "./replay/index.ts";
export * from "./bench/index.ts";
