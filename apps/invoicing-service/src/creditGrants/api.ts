import { type CreditGrantAnswer, ListCreditGrantsQuery } from '@afternoon/contracts/credits';
import { parseInput, type Queryable, type RouteDeps, type Tenant, tenantOf } from '@afternoon/service-kit';
import { Router } from 'express';
import { subscriptionNotFound } from '../subscriptions/businessLogic';
import { findSubscriptionLineage } from '../subscriptions/getSubscriptions';
import { creditGrantNotFound } from './businessLogic';
import { getCreditGrant, listCreditGrants } from './getCreditGrants';

/** Internal read routes the gateway calls: a subscription's grants, scoped to the tenant in the request headers. */
export function creditGrantRoutes({ pool }: RouteDeps): Router {
  const router = Router();
  router.get('/subscriptions/:id/credit-grants', async (request, response) => {
    const tenant = tenantOf(request);
    const query = parseInput(ListCreditGrantsQuery, request.query);
    await existingSubscription(pool, tenant, request.params.id);
    response.json(await listCreditGrants(pool, tenant, request.params.id, query));
  });
  router.get('/subscriptions/:id/credit-grants/:grantId', async (request, response) => {
    const tenant = tenantOf(request);
    await existingSubscription(pool, tenant, request.params.id);
    const grant = await getCreditGrant(pool, tenant, request.params.id, request.params.grantId);
    if (!grant) throw creditGrantNotFound(request.params.grantId);
    response.json({ credit_grant: grant } satisfies CreditGrantAnswer);
  });
  return router;
}

async function existingSubscription(db: Queryable, tenant: Tenant, id: string): Promise<void> {
  if (!(await findSubscriptionLineage(db, tenant, id))) throw subscriptionNotFound(id);
}
