import { ListWebhookEndpointsQuery, type WebhookEndpointAnswer } from '@afternoon/contracts/webhooks';
import { parseInput, tenantOf } from '@afternoon/service-kit';
import { Router } from 'express';
import type pg from 'pg';
import { webhookEndpointNotFound } from './businessLogic';
import { getWebhookEndpoint, listWebhookEndpoints } from './getWebhookEndpoints';

/** Internal read routes the gateway calls; every query is scoped to the tenant in the request headers. */
export function webhookEndpointRoutes({ pool }: { pool: pg.Pool }): Router {
  const router = Router();
  router.get('/webhook-endpoints/:id', async (request, response) => {
    const endpoint = await getWebhookEndpoint(pool, tenantOf(request), request.params.id);
    if (!endpoint) throw webhookEndpointNotFound(request.params.id);
    response.json({ webhook_endpoint: endpoint } satisfies WebhookEndpointAnswer);
  });
  router.get('/webhook-endpoints', async (request, response) => {
    const query = parseInput(ListWebhookEndpointsQuery, request.query);
    response.json(await listWebhookEndpoints(pool, tenantOf(request), query));
  });
  return router;
}
