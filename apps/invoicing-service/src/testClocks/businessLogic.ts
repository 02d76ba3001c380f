import type { Mode } from '@afternoon/contracts/common';
import type {
  AdvanceTestClock,
  CreateTestClock,
  MarkTestClockReady,
  TestClockEvent,
} from '@afternoon/contracts/testClocks';
import { maxTestClockAdvanceDays } from '@afternoon/contracts/testClocks';
import {
  ConflictError,
  type Decider,
  ForbiddenError,
  IllegalStateError,
  NotFoundError,
  ValidationError,
  type WithMetadata,
} from '@afternoon/service-kit';
import { evolve, initialState, type TestClockState } from './testClock';

export type TestClockCommand =
  | WithMetadata<CreateTestClock>
  | WithMetadata<AdvanceTestClock>
  | WithMetadata<MarkTestClockReady>;

const day = 24 * 60 * 60 * 1000;

export function testClockNotFound(id: string, param = 'id'): NotFoundError {
  return new NotFoundError(`No such test clock: '${id}'`, param);
}

/**
 * Test clocks exist in test mode only: the one home of that rule, for commands and reads alike. A live caller is
 * refused as such before any clock is looked up, so the answer tells nothing about which clocks exist.
 */
export function requireTestMode(mode: Mode): void {
  if (mode !== 'test') throw new ForbiddenError('Test clocks exist in test mode only: use a test API key (ak_test_…)');
}

export function decide(command: TestClockCommand, state: TestClockState): TestClockEvent[] {
  const now = command.metadata.issued_at;
  const { test_clock_id } = command.data;
  requireTestMode(command.metadata.mode);
  switch (command.type) {
    case 'CreateTestClock':
      if (state.status !== 'absent') throw new ConflictError(`test clock ${test_clock_id} already exists`, 'id');
      return [
        {
          type: 'TestClockCreated',
          data: { test_clock_id, name: command.data.name, frozen_time: command.data.frozen_time, created_at: now },
        },
      ];
    case 'AdvanceTestClock': {
      if (state.status === 'absent') throw testClockNotFound(test_clock_id);
      if (state.status === 'advancing')
        throw new IllegalStateError(`test clock '${test_clock_id}' is still advancing to ${state.frozenTime}`);
      if (Date.parse(command.data.frozen_time) <= Date.parse(state.frozenTime))
        throw new ValidationError(`must be after the clock's current time, ${state.frozenTime}`, 'frozen_time');
      if (Date.parse(command.data.frozen_time) - Date.parse(state.frozenTime) > maxTestClockAdvanceDays * day)
        throw new ValidationError(
          `must be at most ${maxTestClockAdvanceDays} days after the clock's current time, ${state.frozenTime}; advance in several steps`,
          'frozen_time',
        );
      return [
        {
          type: 'TestClockAdvanced',
          data: { test_clock_id, from: state.frozenTime, frozen_time: command.data.frozen_time, advanced_at: now },
        },
      ];
    }
    case 'MarkTestClockReady':
      // Only the advance the billing run finished: a later one keeps the clock advancing.
      if (state.status !== 'advancing' || Date.parse(state.frozenTime) !== Date.parse(command.data.frozen_time))
        return [];
      return [{ type: 'TestClockReady', data: { test_clock_id, frozen_time: state.frozenTime, ready_at: now } }];
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}

export const testClockDecider: Decider<TestClockCommand, TestClockEvent, TestClockState> = {
  initialState,
  evolve,
  decide,
};
