import type { CreateCustomer, CustomerEvent, DeleteCustomer, UpdateCustomer } from '@afternoon/contracts/customers';
import { ConflictError, changedFields, type Decider, NotFoundError, type WithMetadata } from '@afternoon/service-kit';
import { type CustomerState, evolve, initialState } from './customer';

export type CustomerCommand =
  | WithMetadata<CreateCustomer>
  | WithMetadata<UpdateCustomer>
  | WithMetadata<DeleteCustomer>;

export function decide(command: CustomerCommand, state: CustomerState): CustomerEvent[] {
  const now = command.metadata.issued_at;
  switch (command.type) {
    case 'CreateCustomer':
      if (state.status !== 'absent')
        throw new ConflictError(`customer ${command.data.customer_id} already exists`, 'id');
      return [
        {
          type: 'CustomerCreated',
          data: {
            customer_id: command.data.customer_id,
            details: command.data.details,
            test_clock: command.data.test_clock,
            created_at: now,
          },
        },
      ];
    case 'UpdateCustomer': {
      if (state.status !== 'active') throw customerNotFound(command.data.customer_id);
      const changes = changedFields(state.details, command.data.changes);
      if (Object.keys(changes).length === 0) return [];
      return [{ type: 'CustomerUpdated', data: { customer_id: state.id, changes, updated_at: now } }];
    }
    case 'DeleteCustomer':
      if (state.status !== 'active') throw customerNotFound(command.data.customer_id);
      return [{ type: 'CustomerDeleted', data: { customer_id: state.id, deleted_at: now } }];
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}

export const customerDecider: Decider<CustomerCommand, CustomerEvent, CustomerState> = { initialState, evolve, decide };

export function customerNotFound(customerId: string): NotFoundError {
  return new NotFoundError(`No such customer: '${customerId}'`, 'id');
}
