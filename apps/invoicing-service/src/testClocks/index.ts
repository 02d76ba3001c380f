import {
  TestClockCommand as TestClockCommandSchema,
  TestClockEvent,
  testClockEventWireNames,
} from '@afternoon/contracts/testClocks';
import type { AggregateDefinition } from '@afternoon/service-kit';
import { type TestClockCommand, testClockDecider, testClockNotFound } from './businessLogic';
import { type TestClockState, toTestClock } from './testClock';

export { testClockRoutes } from './api';
export { testClocksProjection } from './getTestClocks';

export const testClockAggregate: AggregateDefinition<TestClockCommand, TestClockEvent, TestClockState> = {
  commandTypes: TestClockCommandSchema.options.map((option) => option.shape.type.value),
  commandSchema: TestClockCommandSchema,
  eventSchema: TestClockEvent,
  eventWireNames: testClockEventWireNames,
  streamId: (command) => `test_clock-${command.data.test_clock_id}`,
  decider: testClockDecider,
  result: (state, command) => {
    if (state.status === 'absent') throw testClockNotFound(command.data.test_clock_id);
    return { test_clock: toTestClock(state) };
  },
};
