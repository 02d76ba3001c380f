import { Topics } from '@afternoon/contracts/topics';
import type { Slice } from '@afternoon/service-kit';
import { ratingRoutes } from './api';
import { ratedUsageProjection } from './getRatedUsage';
import { ratingConsumer } from './ratingConsumer';

/**
 * Rating: every usage event metering stored, priced at its marginal cost under the customer's subscriptions and
 * drawn from their credit grants; the ledger it keeps, and balances as of any instant (ADR 0015).
 */
export const ratingSlice: Slice = {
  name: 'rating',
  projections: [ratedUsageProjection],
  consumers: [ratingConsumer],
  // UsageRated on a topic of its own; the balance crossings beside the invoices' events, queued in the outbox.
  produces: [Topics.usageRated, Topics.invoiceEvents],
  routes: ratingRoutes,
};
