import { ListSubscriptionsQuery, type SubscriptionAnswer } from '@afternoon/contracts/subscriptions';
import { parseInput, tenantOf } from '@afternoon/service-kit';
import { Router } from 'express';
import type pg from 'pg';
import { subscriptionNotFound } from './businessLogic';
import { getSubscription, listSubscriptions } from './getSubscriptions';

/** Internal read routes the gateway calls; periods are given as they stand when asked. */
export function subscriptionRoutes({ pool }: { pool: pg.Pool }): Router {
  const router = Router();
  router.get('/subscriptions', async (request, response) => {
    const query = parseInput(ListSubscriptionsQuery, request.query);
    response.json(await listSubscriptions(pool, tenantOf(request), query, new Date()));
  });
  router.get('/subscriptions/:id', async (request, response) => {
    const subscription = await getSubscription(pool, tenantOf(request), request.params.id, new Date());
    if (!subscription) throw subscriptionNotFound(request.params.id);
    response.json({ subscription } satisfies SubscriptionAnswer);
  });
  return router;
}
