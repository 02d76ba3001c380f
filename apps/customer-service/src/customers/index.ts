import {
  CustomerCommand as CustomerCommandSchema,
  CustomerEvent,
  customerEventWireNames,
} from '@afternoon/contracts/customers';
import type { AggregateDefinition } from '@afternoon/service-kit';
import { type CustomerCommand, customerDecider } from './businessLogic';
import { type CustomerState, toCustomer } from './customer';

export { customerRoutes } from './api';
export { customersProjection } from './getCustomers';

export const customerAggregate: AggregateDefinition<CustomerCommand, CustomerEvent, CustomerState> = {
  commandTypes: ['CreateCustomer', 'UpdateCustomer', 'DeleteCustomer'],
  commandSchema: CustomerCommandSchema,
  eventSchema: CustomerEvent,
  eventWireNames: customerEventWireNames,
  streamId: (command) => `customer-${command.data.customer_id}`,
  decider: customerDecider,
  result: (state, command) =>
    state.status === 'active' ? toCustomer(state) : { id: command.data.customer_id, deleted: true },
};
