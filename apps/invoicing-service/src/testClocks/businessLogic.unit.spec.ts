import type { TestClockEvent } from '@afternoon/contracts/testClocks';
import { IllegalStateError, NotFoundError, ValidationError } from '@afternoon/service-kit';
import { commandMetadata } from '@afternoon/testkit';
import { describe, expect, it } from 'vitest';
import { decide, type TestClockCommand } from './businessLogic';
import { evolve, initialState } from './testClock';

const test_clock_id = 'tc5x9z8nv0000h85r7l9p2k1m';
const realNow = '2026-11-24T12:00:00.000Z';
const inTestMode = { ...commandMetadata(realNow), mode: 'test' as const };

const created: TestClockEvent = {
  type: 'TestClockCreated',
  data: { test_clock_id, name: null, frozen_time: '2027-01-01T00:00:00.000Z', created_at: realNow },
};
const advanced: TestClockEvent = {
  type: 'TestClockAdvanced',
  data: {
    test_clock_id,
    from: '2027-01-01T00:00:00.000Z',
    frozen_time: '2027-02-01T00:00:00.000Z',
    advanced_at: realNow,
  },
};

function given(events: TestClockEvent[]) {
  const state = events.reduce(evolve, initialState());
  return { when: (command: TestClockCommand) => () => decide(command, state) };
}

const advance = (frozen_time: string) =>
  ({ type: 'AdvanceTestClock', data: { test_clock_id, frozen_time }, metadata: inTestMode }) as const;
const ready = (frozen_time: string) =>
  ({ type: 'MarkTestClockReady', data: { test_clock_id, frozen_time }, metadata: inTestMode }) as const;

describe('test clock decider', () => {
  it('is made in test mode only', () => {
    const create = {
      type: 'CreateTestClock',
      data: { test_clock_id, name: null, frozen_time: '2027-01-01T00:00:00.000Z' },
    } as const;
    expect(given([]).when({ ...create, metadata: inTestMode })()).toEqual([created]);
    expect(given([]).when({ ...create, metadata: commandMetadata(realNow) })).toThrow(ValidationError);
  });

  it('advances forward only, recording the real instant of the advance, and not while still advancing', () => {
    expect(given([created]).when(advance('2027-02-01T00:00:00.000Z'))()).toEqual([advanced]);
    expect(given([created]).when(advance('2027-01-01T00:00:00.000Z'))).toThrow(ValidationError);
    expect(given([created, advanced]).when(advance('2027-03-01T00:00:00.000Z'))).toThrow(IllegalStateError);
    expect(given([]).when(advance('2027-03-01T00:00:00.000Z'))).toThrow(NotFoundError);
  });

  it('advances at most 731 days (two years) at a time, naming frozen_time', () => {
    // 2027-01-01 + 731 days = 2029-01-01 (2028 is a leap year): the longest step; a second more is refused.
    expect(given([created]).when(advance('2029-01-01T00:00:00.000Z'))()).toHaveLength(1);
    expect(given([created]).when(advance('2029-01-01T00:00:01.000Z'))).toThrow(
      expect.objectContaining({ param: 'frozen_time' }),
    );
  });

  it('is ready only for the advance the billing run finished, once', () => {
    expect(given([created, advanced]).when(ready('2027-02-01T00:00:00.000Z'))()).toEqual([
      { type: 'TestClockReady', data: { test_clock_id, frozen_time: '2027-02-01T00:00:00.000Z', ready_at: realNow } },
    ]);
    expect(given([created, advanced]).when(ready('2027-01-15T00:00:00.000Z'))()).toEqual([]);
    expect(given([created]).when(ready('2027-01-01T00:00:00.000Z'))()).toEqual([]);
  });
});
