export * from "./schemas/primitives.ts";
export * from "./schemas/film.ts";
export * from "./schemas/entry.ts";
export * from "./schemas/events.ts";
export * from "./schemas/decode.ts";
export * from "./user-stats/schema.ts";
export * from "./trends/schema.ts";
export * from "./user-stats/index.ts";
