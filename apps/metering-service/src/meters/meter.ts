import type { Meter, MeterDefinition, MeterEvent } from '@afternoon/contracts/meters';

export type MeterState =
  | { status: 'absent' }
  | { status: 'active'; id: string; definition: MeterDefinition; createdAt: string; updatedAt: string }
  | {
      status: 'archived';
      id: string;
      definition: MeterDefinition;
      createdAt: string;
      updatedAt: string;
      archivedAt: string;
    };

export function initialState(): MeterState {
  return { status: 'absent' };
}

export function evolve(state: MeterState, event: MeterEvent): MeterState {
  switch (event.type) {
    case 'MeterCreated':
      return {
        status: 'active',
        id: event.data.meter_id,
        definition: event.data.definition,
        createdAt: event.data.created_at,
        updatedAt: event.data.created_at,
      };
    case 'MeterUpdated':
      if (state.status !== 'active') return state;
      return { ...state, definition: { ...state.definition, ...event.data.changes }, updatedAt: event.data.updated_at };
    case 'MeterArchived':
      if (state.status !== 'active') return state;
      return { ...state, status: 'archived', updatedAt: event.data.archived_at, archivedAt: event.data.archived_at };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

/** The public shape of a meter that exists. */
export function toMeter(state: Exclude<MeterState, { status: 'absent' }>): Meter {
  return {
    id: state.id,
    ...state.definition,
    status: state.status,
    created_at: state.createdAt,
    updated_at: state.updatedAt,
    archived_at: state.status === 'archived' ? state.archivedAt : null,
  };
}
