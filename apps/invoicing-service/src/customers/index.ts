import type { Slice } from '@afternoon/service-kit';
import { customersConsumer } from './knownCustomers';

/** The customers invoicing bills, from customer-service's events: the names and addresses its invoices print. */
export const customersSlice: Slice = { name: 'customers', consumers: [customersConsumer] };
