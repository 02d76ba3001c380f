import {
  CustomerCommand as CustomerCommandSchema,
  CustomerEvent,
  customerEventWireNames,
} from '@afternoon/contracts/customers';
import { type AggregateDefinition, commandTypesOf, type Slice } from '@afternoon/service-kit';
import { customerRoutes } from './api';
import { type CustomerCommand, customerDecider } from './businessLogic';
import { type CustomerState, toCustomer } from './customer';
import { customersProjection } from './getCustomers';

export const customerAggregate: AggregateDefinition<CustomerCommand, CustomerEvent, CustomerState> = {
  commandTypes: commandTypesOf(CustomerCommandSchema),
  commandSchema: CustomerCommandSchema,
  eventSchema: CustomerEvent,
  eventWireNames: customerEventWireNames,
  streamId: (command) => `customer-${command.data.customer_id}`,
  decider: customerDecider,
  result: (state, command) =>
    state.status === 'active' ? toCustomer(state) : { id: command.data.customer_id, deleted: true },
};

/** Customers: created, changed and deleted by command, and read back by id or page. */
export const customersSlice: Slice = {
  name: 'customers',
  aggregates: [customerAggregate],
  projections: [customersProjection],
  routes: customerRoutes,
};
