export * from "./export-film.ts";
export * from "./letterboxd.ts";
export * from "./plan.ts";
export * from "./trakt.ts";
