import {
  TestClockCommand as TestClockCommandSchema,
  TestClockEvent,
  testClockEventWireNames,
} from '@afternoon/contracts/testClocks';
import { type AggregateDefinition, commandTypesOf, type Slice } from '@afternoon/service-kit';
import { testClockRoutes } from './api';
import { type TestClockCommand, testClockDecider, testClockNotFound } from './businessLogic';
import { testClocksProjection } from './getTestClocks';
import { type TestClockState, toTestClock } from './testClock';

export const testClockAggregate: AggregateDefinition<TestClockCommand, TestClockEvent, TestClockState> = {
  commandTypes: commandTypesOf(TestClockCommandSchema),
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

/** Test clocks: simulated time for test-mode customers, advanced by command, and read back. */
export const testClocksSlice: Slice = {
  name: 'testClocks',
  aggregates: [testClockAggregate],
  projections: [testClocksProjection],
  routes: testClockRoutes,
};
