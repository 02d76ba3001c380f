import type { Slice } from '@afternoon/service-kit';
import { customersConsumer } from './knownCustomers';

/** The customers metering knows of, from customer-service's events: whose usage it accepts and reads. */
export const customersSlice: Slice = { name: 'customers', consumers: [customersConsumer] };
