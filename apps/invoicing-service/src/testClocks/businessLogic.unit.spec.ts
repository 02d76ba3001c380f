import type { TestClockEvent } from '@afternoon/contracts/testClocks';
import { ForbiddenError, IllegalStateError, NotFoundError, ValidationError } from '@afternoon/service-kit';
import { commandMetadata, deciderSpec } from '@afternoon/testkit/decider';
import { describe, expect, it } from 'vitest';
import { decide } from './businessLogic';
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

const { given } = deciderSpec({ decide, evolve, initialState });

const advance = (frozen_time: string) =>
  ({ type: 'AdvanceTestClock', data: { test_clock_id, frozen_time }, metadata: inTestMode }) as const;
const ready = (frozen_time: string) =>
  ({ type: 'MarkTestClockReady', data: { test_clock_id, frozen_time }, metadata: inTestMode }) as const;

describe('test clock decider', () => {
  it('is made and advanced in test mode only, refusing a live caller as forbidden', () => {
    const create = {
      type: 'CreateTestClock',
      data: { test_clock_id, name: null, frozen_time: '2027-01-01T00:00:00.000Z' },
    } as const;
    given([])
      .when({ ...create, metadata: inTestMode })
      .thenEmits([created]);
    given([])
      .when({ ...create, metadata: commandMetadata(realNow) })
      .thenThrows(ForbiddenError);
    given([created])
      .when({ ...advance('2027-02-01T00:00:00.000Z'), metadata: commandMetadata(realNow) })
      .thenThrows(ForbiddenError);
  });

  it('advances forward only, recording the real instant of the advance, and not while still advancing', () => {
    given([created]).when(advance('2027-02-01T00:00:00.000Z')).thenEmits([advanced]);
    given([created]).when(advance('2027-01-01T00:00:00.000Z')).thenThrows(ValidationError);
    given([created, advanced]).when(advance('2027-03-01T00:00:00.000Z')).thenThrows(IllegalStateError);
    given([]).when(advance('2027-03-01T00:00:00.000Z')).thenThrows(NotFoundError);
  });

  it('advances at most 731 days (two years) at a time, naming frozen_time', () => {
    // 2027-01-01 + 731 days = 2029-01-01 (2028 is a leap year): the longest step; a second more is refused.
    expect(given([created]).when(advance('2029-01-01T00:00:00.000Z')).events()).toHaveLength(1);
    given([created])
      .when(advance('2029-01-01T00:00:01.000Z'))
      .thenThrows(expect.objectContaining({ param: 'frozen_time' }));
  });

  it('is ready only for the advance the billing run finished, once', () => {
    given([created, advanced])
      .when(ready('2027-02-01T00:00:00.000Z'))
      .thenEmits([
        { type: 'TestClockReady', data: { test_clock_id, frozen_time: '2027-02-01T00:00:00.000Z', ready_at: realNow } },
      ]);
    given([created, advanced]).when(ready('2027-01-15T00:00:00.000Z')).thenEmits([]);
    given([created]).when(ready('2027-01-01T00:00:00.000Z')).thenEmits([]);
  });
});
