import { BalancesQuery, type CustomerBalancesAnswer } from '@afternoon/contracts/credits';
import { Topics } from '@afternoon/contracts/topics';
import { NotFoundError, parseInput, type RouteDeps, type Tenant, tenantOf } from '@afternoon/service-kit';
import { Router } from 'express';
import { customerNow } from '../customerClock/customerClock';
import { customersConsumer, findCustomer } from '../customers/knownCustomers';
import { customerBalances } from './getBalances';
import { getRatedUsage } from './getRatedUsage';

/** How long a balance read waits for `customer.events` before it calls a customer unknown. */
const customerCatchUpMs = 5_000;

/** Internal read routes: a customer's balances as of an instant, and what a usage event cost once it is rated. */
export function ratingRoutes(deps: RouteDeps): Router {
  const router = Router();
  router.get('/customers/:id/balances', async (request, response) => {
    const tenant = tenantOf(request);
    const query = parseInput(BalancesQuery, request.query);
    const customerId = request.params.id;
    await knownCustomer(deps, tenant, customerId);
    const asOf = query.as_of ? new Date(query.as_of) : await customerNow(deps.pool, tenant, customerId, new Date());
    const balances = await customerBalances(deps.pool, tenant, customerId, asOf);
    response.json({ balances, as_of: asOf.toISOString() } satisfies CustomerBalancesAnswer);
  });
  router.get('/rated-usage/:usage_id', async (request, response) => {
    const rated = await getRatedUsage(deps.pool, tenantOf(request), request.params.usage_id);
    if (!rated) throw new NotFoundError(`Usage '${request.params.usage_id}' is not rated yet`, 'usage_id');
    response.json(rated);
  });
  return router;
}

/** A customer invoicing has heard of (deleted or not), caught up with `customer.events` on a miss; 404 otherwise. */
async function knownCustomer(deps: RouteDeps, tenant: Tenant, customerId: string): Promise<void> {
  if (await findCustomer(deps.pool, tenant, customerId, 'ever')) return;
  await deps.catchUp(customersConsumer.name, Topics.customerEvents, customerCatchUpMs);
  if (!(await findCustomer(deps.pool, tenant, customerId, 'ever')))
    throw new NotFoundError(`No such customer: '${customerId}'`, 'id');
}
