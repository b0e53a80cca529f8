export * from "./clock.ts";
export * from "./config.ts";
export * from "./runner.ts";
