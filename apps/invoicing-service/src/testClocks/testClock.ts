import type { TestClock, TestClockEvent } from '@afternoon/contracts/testClocks';

interface ClockFields {
  id: string;
  name: string | null;
  frozenTime: string;
  createdAt: string;
}

export type TestClockState =
  | { status: 'absent' }
  | ({ status: 'ready' } & ClockFields)
  | ({ status: 'advancing' } & ClockFields);

export function initialState(): TestClockState {
  return { status: 'absent' };
}

export function evolve(state: TestClockState, event: TestClockEvent): TestClockState {
  switch (event.type) {
    case 'TestClockCreated':
      return {
        status: 'ready',
        id: event.data.test_clock_id,
        name: event.data.name,
        frozenTime: event.data.frozen_time,
        createdAt: event.data.created_at,
      };
    case 'TestClockAdvanced':
      if (state.status === 'absent') return state;
      return { ...state, status: 'advancing', frozenTime: event.data.frozen_time };
    case 'TestClockReady':
      if (state.status === 'absent') return state;
      return { ...state, status: 'ready' };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

export function toTestClock(state: Exclude<TestClockState, { status: 'absent' }>): TestClock {
  return {
    id: state.id,
    name: state.name,
    frozen_time: state.frozenTime,
    status: state.status,
    created_at: state.createdAt,
  };
}
