import { describe, expect, it } from "vitest";
import { movieLensCatalogItem } from "./movielens.ts";

describe("a MovieLens movies.csv row", () => {
  it("given a row with an article last and alternative titles, when read, then the film reads naturally and keeps its aliases", () => {
    const item = movieLensCatalogItem(
      {
        movieId: "29",
        title: "City of Lost Children, The (Cité des enfants perdus, La) (1995)",
        genres: "Adventure|Drama|Fantasy|Mystery|Sci-Fi",
      },
      "ml-",
    );
    expect(item).toEqual({
      film: {
        movie_id: "ml-29",
        title: "The City of Lost Children",
        year: 1995,
        genres: ["Adventure", "Drama", "Fantasy", "Mystery", "Sci-Fi"],
      },
      aliases: ["La Cité des enfants perdus", "The City of Lost Children (La Cité des enfants perdus)"],
    });
  });

  it("given a row without genres or year, when read, then the film has neither", () => {
    expect(
      movieLensCatalogItem({ movieId: "143410", title: "Hyena Road", genres: "(no genres listed)" }),
    ).toEqual({
      film: { movie_id: "143410", title: "Hyena Road" },
      aliases: [],
    });
  });
});
