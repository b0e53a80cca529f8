import type { Film } from "../schemas/film.ts";

/**
 * A catalog film, with alternative titles the catalog knows besides those written in its title,
 * and how many people voted on it in each source (the popularity prior that breaks near-ties).
 */
export interface CatalogItem {
  readonly film: Film;
  readonly aliases?: ReadonlyArray<string>;
  readonly votes?: { readonly imdb?: number; readonly movielens?: number; readonly us_gross_usd?: number };
}

export const isCatalogItem = (item: Film | CatalogItem): item is CatalogItem => "film" in item;
