import { type Assertion, expect } from 'vitest';

interface PureDecider<Command, Event, State> {
  initialState(): State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State): Event[];
}

/** What `toThrow` accepts: an error class, a message part, a pattern or a matcher such as `expect.objectContaining`. */
type ThrownError = Parameters<Assertion['toThrow']>[0];

/** One decision under test: the history folded, the command decided on each assertion. */
export interface Decision<Event> {
  /** The events decided, for assertions the spec does not name; as a function it also fits `expect(…).not.toThrow()`. */
  events: () => Event[];
  thenEmits(expected: readonly Event[]): void;
  /** Every expectation must hold of the one error thrown. */
  thenThrows(...expected: [ThrownError, ...ThrownError[]]): void;
}

/** Given (events) / when (command) / then (events or error) for a pure decider, in the spirit of emmett's DeciderSpecification. */
export function deciderSpec<Command, Event, State>(decider: PureDecider<Command, Event, State>) {
  return {
    given(history: readonly Event[]) {
      const state = history.reduce(decider.evolve, decider.initialState());
      return {
        when(command: Command): Decision<Event> {
          const events = () => decider.decide(command, state);
          return {
            events,
            thenEmits: (expected) => expect(events()).toEqual(expected),
            thenThrows: (...expected) => {
              for (const error of expected) expect(events).toThrow(error);
            },
          };
        },
      };
    },
  };
}
