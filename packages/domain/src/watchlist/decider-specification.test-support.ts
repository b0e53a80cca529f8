import { Either } from "effect";
import { expect } from "vitest";

/**
 * Given/when/then on events for a pure decider (after Emmett's `DeciderSpecification`): the given
 * events are folded into a state with `evolve`, the command is decided against it, and the result is
 * compared with the expected events or rejection.
 */
export interface Decider<Command, Event, State, Rejection> {
  readonly decide: (
    command: Command,
    state: State | undefined,
    now: number,
  ) => Either.Either<ReadonlyArray<Event>, Rejection>;
  readonly evolve: (state: State | undefined, event: Event) => State;
}

export const DeciderSpecification = {
  for: <Command, Event, State, Rejection>(
    decider: Decider<Command, Event, State, Rejection>,
    now: number,
  ) => ({
    given: (events: ReadonlyArray<Event>) => ({
      when: (command: Command) => {
        const state = events.reduce<State | undefined>(decider.evolve, undefined);
        const result = decider.decide(command, state, now);
        return {
          thenEmits: (expected: ReadonlyArray<Event>) => {
            expect(result).toEqual(Either.right(expected));
          },
          thenRejects: (expected: Rejection) => {
            expect(result).toEqual(Either.left(expected));
          },
          /** The state after the decided events (for the `evolve` half of a spec). */
          thenState: (expected: State | undefined) => {
            expect(Either.isRight(result)).toBe(true);
            const events2 = Either.getOrElse(result, () => [] as ReadonlyArray<Event>);
            expect(events2.reduce<State | undefined>(decider.evolve, state)).toEqual(expected);
          },
        };
      },
    }),
  }),
};
