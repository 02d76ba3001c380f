// The benchmark's scenarios, run in this order. Add one file per scenario beside this one and list it here.
// The metering ones depend on each other's results (3 runs at half of 1's rate, 5 divides by 2's), and usage-query
// moves the apps to its kept seed identity, so it comes last. subscription-billing makes an organization of its own.
import createCustomer from './create-customer.mjs';
import eventToQueryable from './event-to-queryable.mjs';
import httpIngest from './http-ingest.mjs';
import kafkaIngest from './kafka-ingest.mjs';
import machineLimits from './machine-limits.mjs';
import rateLimitOverhead from './rate-limit-overhead.mjs';
import subscriptionBilling from './subscription-billing.mjs';
import syncIngest from './sync-ingest.mjs';
import usageQuery from './usage-query.mjs';

export const scenarios = [
  createCustomer,
  ...rateLimitOverhead,
  httpIngest,
  eventToQueryable,
  syncIngest,
  kafkaIngest,
  machineLimits,
  subscriptionBilling,
  usageQuery,
];
