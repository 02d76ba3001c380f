// The benchmark's scenarios, run in this order. Add one file per scenario beside this one and list it here.
// machine-limits comes first: every ingest row is a ratio to its COPY or ProducerPerformance rate. The HTTP ones
// depend on each other's results (2 searches from 1's stored rate, 4 runs at half of 2's), kafka-ingest and
// usage-query move the apps to identities of their own (the run's organization is gone there), so they come last;
// subscription-billing and scale-out make organizations of their own.
import createCustomer from './create-customer.mjs';
import eventToQueryable from './event-to-queryable.mjs';
import gatewayAlone from './gateway-alone.mjs';
import httpIngest from './http-ingest.mjs';
import httpSustained from './http-sustained.mjs';
import kafkaIngest from './kafka-ingest.mjs';
import machineLimits from './machine-limits.mjs';
import rateLimitOverhead from './rate-limit-overhead.mjs';
import scaleOut from './scale-out.mjs';
import subscriptionBilling from './subscription-billing.mjs';
import syncIngest from './sync-ingest.mjs';
import usageQuery from './usage-query.mjs';

export const scenarios = [
  machineLimits,
  createCustomer,
  ...rateLimitOverhead,
  httpIngest,
  httpSustained,
  gatewayAlone,
  eventToQueryable,
  scaleOut,
  syncIngest,
  kafkaIngest,
  subscriptionBilling,
  usageQuery,
];
