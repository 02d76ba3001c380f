import { describe, expect, it } from 'vitest';
import { deciderSpec } from './deciderSpec';

type Deposit = { type: 'Deposit'; data: { amount_cents: number } };
type Deposited = { type: 'Deposited'; data: { amount_cents: number } };

class LimitExceededError extends Error {}

// A wallet that holds at most 100 cents: enough of a decider to show the spec folds, decides and asserts.
const { given } = deciderSpec<Deposit, Deposited, { balance_cents: number }>({
  initialState: () => ({ balance_cents: 0 }),
  evolve: (state, event) => ({ balance_cents: state.balance_cents + event.data.amount_cents }),
  decide: (command, state) => {
    if (state.balance_cents + command.data.amount_cents > 100)
      throw new LimitExceededError(`a balance of ${state.balance_cents} cents takes no more than that`);
    return command.data.amount_cents === 0 ? [] : [{ type: 'Deposited', data: command.data }];
  },
});

const deposit = (amount_cents: number): Deposit => ({ type: 'Deposit', data: { amount_cents } });
const deposited = (amount_cents: number): Deposited => ({ type: 'Deposited', data: { amount_cents } });

describe('decider spec', () => {
  it('decides on the state its history folds to', () => {
    given([])
      .when(deposit(100))
      .thenEmits([deposited(100)]);
    given([deposited(60), deposited(30)])
      .when(deposit(10))
      .thenEmits([deposited(10)]);
    given([deposited(60), deposited(30)])
      .when(deposit(11))
      .thenThrows(LimitExceededError);
    expect(
      given([deposited(50)])
        .when(deposit(0))
        .events(),
    ).toEqual([]);
  });

  it('fails when other events, or none, are decided', () => {
    expect(() =>
      given([])
        .when(deposit(5))
        .thenEmits([deposited(6)]),
    ).toThrow();
    expect(() => given([]).when(deposit(5)).thenEmits([])).toThrow();
  });

  it('holds every expectation of the error: its class, its message, a matcher', () => {
    const refused = given([deposited(100)]).when(deposit(1));
    refused.thenThrows(
      LimitExceededError,
      'a balance of 100 cents',
      expect.objectContaining({ message: expect.stringContaining('100') }),
    );
    expect(() => refused.thenThrows(LimitExceededError, 'a balance of 99 cents')).toThrow();
    expect(() => refused.thenThrows(RangeError)).toThrow();
  });

  it('fails a refusal that was not refused', () => {
    expect(() => given([]).when(deposit(1)).thenThrows(LimitExceededError)).toThrow();
    expect(given([]).when(deposit(1)).events).not.toThrow();
  });
});
