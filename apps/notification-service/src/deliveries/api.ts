import { ListWebhookDeliveriesQuery, type WebhookDeliveryAnswer } from '@afternoon/contracts/webhooks';
import { NotFoundError, parseInput, tenantOf } from '@afternoon/service-kit';
import { Router } from 'express';
import type pg from 'pg';
import { deliveryNotFound } from './businessLogic';
import { getDelivery, listDeliveries } from './getDeliveries';

/** Internal read routes the gateway calls: the delivery log, every query scoped to the tenant in the headers. */
export function deliveryRoutes({ pool }: { pool: pg.Pool }): Router {
  const router = Router();
  router.get('/webhook-endpoints/:id/deliveries', async (request, response) => {
    const tenant = tenantOf(request);
    const query = parseInput(ListWebhookDeliveriesQuery, request.query);
    const endpoint = await pool.query(
      'SELECT 1 FROM webhook_endpoints WHERE id = $1 AND organization_id = $2 AND mode = $3',
      [request.params.id, tenant.organizationId, tenant.mode],
    );
    if (endpoint.rowCount === 0) throw new NotFoundError(`no webhook endpoint '${request.params.id}'`, 'id');
    response.json(await listDeliveries(pool, tenant, request.params.id, query));
  });
  router.get('/webhook-deliveries/:id', async (request, response) => {
    const delivery = await getDelivery(pool, tenantOf(request), request.params.id);
    if (!delivery) throw deliveryNotFound(request.params.id);
    response.json({ delivery } satisfies WebhookDeliveryAnswer);
  });
  return router;
}
