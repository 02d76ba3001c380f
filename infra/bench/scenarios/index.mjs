// The benchmark's scenarios, run in this order. Add one file per scenario beside this one and list it here.
import createCustomer from './create-customer.mjs';

export const scenarios = [createCustomer];
