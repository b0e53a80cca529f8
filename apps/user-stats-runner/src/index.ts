export * from "./config.ts";
export * from "./runner.ts";
