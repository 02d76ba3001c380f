import type { Customer, CustomerDetails, CustomerEvent } from '@afternoon/contracts/customers';

export type CustomerState =
  | { status: 'absent' }
  | {
      status: 'active';
      id: string;
      details: CustomerDetails;
      testClock: string | null;
      createdAt: string;
      updatedAt: string;
    }
  | { status: 'deleted'; id: string; deletedAt: string };

export function initialState(): CustomerState {
  return { status: 'absent' };
}

export function evolve(state: CustomerState, event: CustomerEvent): CustomerState {
  switch (event.type) {
    case 'CustomerCreated':
      return {
        status: 'active',
        id: event.data.customer_id,
        details: event.data.details,
        testClock: event.data.test_clock,
        createdAt: event.data.created_at,
        updatedAt: event.data.created_at,
      };
    case 'CustomerUpdated':
      if (state.status !== 'active') return state;
      return { ...state, details: { ...state.details, ...event.data.changes }, updatedAt: event.data.updated_at };
    case 'CustomerDeleted':
      return { status: 'deleted', id: event.data.customer_id, deletedAt: event.data.deleted_at };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

/** The public shape of an active customer. */
export function toCustomer(state: Extract<CustomerState, { status: 'active' }>): Customer {
  return {
    id: state.id,
    ...state.details,
    test_clock: state.testClock,
    created_at: state.createdAt,
    updated_at: state.updatedAt,
  };
}
