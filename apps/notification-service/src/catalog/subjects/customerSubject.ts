import type { CustomerEvent } from '@afternoon/contracts/customers';
import type { CustomerPayload } from '@afternoon/contracts/webhookCatalog';

/** A customer as the catalog follows it: its public shape, and when it was deleted. */
export type CustomerSubject = CustomerPayload & { deleted_at: string | null };

export function evolveCustomer(state: CustomerSubject | undefined, event: CustomerEvent): CustomerSubject | undefined {
  switch (event.type) {
    case 'CustomerCreated': {
      const { customer_id, details, test_clock, created_at } = event.data;
      return { id: customer_id, ...details, test_clock, created_at, updated_at: created_at, deleted_at: null };
    }
    case 'CustomerUpdated': {
      if (!state) return state;
      const changes = Object.fromEntries(Object.entries(event.data.changes).filter(([, value]) => value !== undefined));
      return { ...state, ...changes, updated_at: event.data.updated_at };
    }
    case 'CustomerDeleted':
      return state && { ...state, deleted_at: event.data.deleted_at };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

/** The customer's public shape, without the catalog's bookkeeping. */
export function customerPayload({ deleted_at: _, ...customer }: CustomerSubject): CustomerPayload {
  return customer;
}
