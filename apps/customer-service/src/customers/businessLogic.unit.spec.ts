import type { CustomerDetails, CustomerEvent } from '@afternoon/contracts/customers';
import { ConflictError, NotFoundError } from '@afternoon/service-kit';
import { commandMetadata, deciderSpec } from '@afternoon/testkit/decider';
import { describe, expect, it } from 'vitest';
import { type CustomerCommand, decide } from './businessLogic';
import { evolve, initialState, toCustomer } from './customer';

const customerId = 'cm5x9z8nv0000h85r7l9p2k1m';
const createdAt = '2026-01-15T10:30:00.000Z';
const later = '2026-01-16T08:00:00.000Z';

const details: CustomerDetails = {
  name: 'Acme Corp',
  first_name: null,
  last_name: null,
  email: 'billing@acme.com',
  phone: null,
  url: null,
  external_id: 'cust_123',
  billing_address: null,
  shipping_address: null,
  metadata: {},
};

const { given } = deciderSpec({ decide, evolve, initialState });

const created: CustomerEvent = {
  type: 'CustomerCreated',
  data: { customer_id: customerId, details, test_clock: null, created_at: createdAt },
};
const deleted: CustomerEvent = { type: 'CustomerDeleted', data: { customer_id: customerId, deleted_at: later } };

describe('customer decider', () => {
  it('creates a customer that does not exist yet, dated by the command', () => {
    const command: CustomerCommand = {
      type: 'CreateCustomer',
      data: { customer_id: customerId, details, test_clock: null },
      metadata: commandMetadata(createdAt),
    };
    given([]).when(command).thenEmits([created]);
  });

  it('refuses to create the same customer twice', () => {
    const command: CustomerCommand = {
      type: 'CreateCustomer',
      data: { customer_id: customerId, details, test_clock: null },
      metadata: commandMetadata(later),
    };
    given([created]).when(command).thenThrows(ConflictError);
  });

  it('records only the fields an update actually changes', () => {
    const command: CustomerCommand = {
      type: 'UpdateCustomer',
      data: { customer_id: customerId, changes: { name: 'Acme Corp', email: 'ap@acme.com', phone: '+1 555 0100' } },
      metadata: commandMetadata(later),
    };
    given([created])
      .when(command)
      .thenEmits([
        {
          type: 'CustomerUpdated',
          data: { customer_id: customerId, changes: { email: 'ap@acme.com', phone: '+1 555 0100' }, updated_at: later },
        },
      ]);
  });

  it('records nothing for an update that changes nothing', () => {
    const command: CustomerCommand = {
      type: 'UpdateCustomer',
      data: { customer_id: customerId, changes: { name: 'Acme Corp' } },
      metadata: commandMetadata(later),
    };
    given([created]).when(command).thenEmits([]);
  });

  it('clears an optional field set to null', () => {
    const state = [created].reduce(evolve, initialState());
    const events = decide(
      {
        type: 'UpdateCustomer',
        data: { customer_id: customerId, changes: { external_id: null } },
        metadata: commandMetadata(later),
      },
      state,
    );
    const after = events.reduce(evolve, state);
    expect(after.status === 'active' && toCustomer(after).external_id).toBeNull();
  });

  it('refuses to update or delete a customer that does not exist or was deleted', () => {
    for (const history of [[], [created, deleted]]) {
      const update: CustomerCommand = {
        type: 'UpdateCustomer',
        data: { customer_id: customerId, changes: { name: 'X' } },
        metadata: commandMetadata(later),
      };
      const remove: CustomerCommand = {
        type: 'DeleteCustomer',
        data: { customer_id: customerId },
        metadata: commandMetadata(later),
      };
      given(history).when(update).thenThrows(NotFoundError);
      given(history).when(remove).thenThrows(NotFoundError);
    }
  });

  it('deletes an existing customer', () => {
    const command: CustomerCommand = {
      type: 'DeleteCustomer',
      data: { customer_id: customerId },
      metadata: commandMetadata(later),
    };
    given([created]).when(command).thenEmits([deleted]);
  });

  it('evolves an update onto the state and moves updated_at only', () => {
    const updated: CustomerEvent = {
      type: 'CustomerUpdated',
      data: { customer_id: customerId, changes: { email: 'ap@acme.com' }, updated_at: later },
    };
    const state = [created, updated].reduce(evolve, initialState());
    expect(state.status === 'active' && toCustomer(state)).toMatchObject({
      email: 'ap@acme.com',
      name: 'Acme Corp',
      created_at: createdAt,
      updated_at: later,
    });
  });
});
