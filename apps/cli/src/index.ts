export { dispatch, USAGE } from "./main.ts";
export * from "./replay/index.ts";
