import {
  BalancesQuery,
  type CustomerBalancesAnswer,
  type RatedUsageAnswer,
  RatedUsageQuery,
} from '@afternoon/contracts/credits';
import { Topics } from '@afternoon/contracts/topics';
import {
  NotFoundError,
  notifiedWait,
  parseInput,
  type RouteDeps,
  responseClosed,
  type Tenant,
  tenantOf,
} from '@afternoon/service-kit';
import { Router } from 'express';
import { customerNow } from '../customerClock/customerClock';
import { customersConsumer, findCustomer } from '../customers/knownCustomers';
import { customerBalances } from './getBalances';
import { getRatedUsage, ratedUsageChannel } from './getRatedUsage';

/** How long a balance read waits for `customer.events` before it calls a customer unknown. */
const customerCatchUpMs = 5_000;

/** Internal read routes: a customer's balances as of an instant, and what a usage event cost once it is rated. */
export function ratingRoutes(deps: RouteDeps): Router {
  const router = Router();
  const rating = notifiedWait(deps.pool, ratedUsageChannel(deps.schema));
  router.get('/customers/:id/balances', async (request, response) => {
    const query = parseInput(BalancesQuery, request.query);
    const asOf = query.as_of ? new Date(query.as_of) : undefined;
    response.json(await balancesOf(deps, tenantOf(request), request.params.id, asOf));
  });
  // The single-event ingest waits here for the event's cost, and gets the balances it left in the same reply.
  router.get('/rated-usage/:usage_id', async (request, response) => {
    const tenant = tenantOf(request);
    const { wait_ms } = parseInput(RatedUsageQuery, request.query);
    const usageId = request.params.usage_id;
    const look = () => getRatedUsage(deps.pool, tenant, usageId);
    const rated = await rating.until(look, wait_ms ?? 0, responseClosed(response));
    if (!rated) throw new NotFoundError(`Usage '${usageId}' is not rated yet`, 'usage_id');
    const balances = await balancesOf(deps, tenant, rated.customer_id);
    response.json({ ...rated, ...balances } satisfies RatedUsageAnswer);
  });
  return router;
}

/** The customer's balances as of `asOf`, by default the customer's now (its test clock's, when it has one). */
async function balancesOf(
  deps: RouteDeps,
  tenant: Tenant,
  customerId: string,
  asOf?: Date,
): Promise<CustomerBalancesAnswer> {
  await knownCustomer(deps, tenant, customerId);
  const at = asOf ?? (await customerNow(deps.pool, tenant, customerId, new Date()));
  const balances = await customerBalances(deps.pool, tenant, customerId, at);
  return { balances, as_of: at.toISOString() };
}

/** A customer invoicing has heard of (deleted or not), caught up with `customer.events` on a miss; 404 otherwise. */
async function knownCustomer(deps: RouteDeps, tenant: Tenant, customerId: string): Promise<void> {
  if (await findCustomer(deps.pool, tenant, customerId, 'ever')) return;
  await deps.catchUp(customersConsumer.name, Topics.customerEvents, customerCatchUpMs);
  if (!(await findCustomer(deps.pool, tenant, customerId, 'ever')))
    throw new NotFoundError(`No such customer: '${customerId}'`, 'id');
}
