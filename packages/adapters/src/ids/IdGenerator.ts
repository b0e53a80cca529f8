import { randomUUID } from "node:crypto";
import { Context, Effect, Layer } from "effect";

/**
 * Where new ids (event ids, user ids, error ids) come from. Injected, so tests are deterministic:
 * production uses random UUIDs, tests a counter.
 */
export interface IdGeneratorService {
  /** A fresh id matching the domain's id pattern (`[A-Za-z0-9][A-Za-z0-9_:-]{0,63}`). */
  readonly next: Effect.Effect<string>;
}

export class IdGenerator extends Context.Tag("@cinematch/adapters/IdGenerator")<
  IdGenerator,
  IdGeneratorService
>() {}

/** Random version-4 UUIDs from `node:crypto`. */
export const IdGeneratorRandom: Layer.Layer<IdGenerator> = Layer.succeed(IdGenerator, {
  next: Effect.sync(() => randomUUID()),
});

/**
 * Deterministic ids `<prefix>-000001`, `<prefix>-000002`, … (one counter per built layer), for tests:
 * zero-padded so they sort in the order they were made.
 */
export const makeIdGeneratorSequential = (prefix = "id"): IdGeneratorService => {
  let counter = 0;
  return {
    next: Effect.sync(() => {
      counter += 1;
      return `${prefix}-${String(counter).padStart(6, "0")}`;
    }),
  };
};

export const IdGeneratorSequential = (prefix = "id"): Layer.Layer<IdGenerator> =>
  Layer.sync(IdGenerator, () => makeIdGeneratorSequential(prefix));
