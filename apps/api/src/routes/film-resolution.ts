import { type AddMovieRequest, CatalogMatch, type FieldIssue } from "@cinematch/domain";
import { Effect, Option, Schema } from "effect";
import { HttpFailure, validationFailed } from "../http/failure.ts";
import type { CatalogCache } from "../services/catalog-cache.ts";
import { asMatch } from "./shared.ts";

const encodeMatches = Schema.encodeSync(Schema.Array(CatalogMatch));

/** The film to add: by id from the catalog, or by title through the matcher (409 when ambiguous). */
export const resolveFilm = (catalog: CatalogCache) => (body: AddMovieRequest) =>
  Effect.gen(function* () {
    if (body.movie_id !== undefined) {
      const film = yield* catalog.film(body.movie_id);
      if (Option.isNone(film)) {
        return yield* Effect.fail(
          validationFailed([{ path: "movie_id", message: "no film with this id in the catalog" }]),
        );
      }
      return film.value;
    }
    const resolution = catalog.resolve(body.title!.trim(), body.year);
    switch (resolution._tag) {
      case "Matched": {
        const film = yield* catalog.film(resolution.film.movie_id);
        return Option.getOrElse(film, () => resolution.film);
      }
      case "Ambiguous":
        return yield* Effect.fail(
          new HttpFailure({
            status: 409,
            code: "ambiguous_title",
            message: `"${body.title}" matches several films: add one of the candidates by movie_id`,
            candidates: encodeMatches(resolution.candidates.slice(0, 10).map(asMatch)),
          }),
        );
      case "NotFound": {
        const issues: Array<FieldIssue> = [
          { path: "title", message: "no film in the catalog matches this title" },
        ];
        return yield* Effect.fail(validationFailed(issues));
      }
    }
  });
