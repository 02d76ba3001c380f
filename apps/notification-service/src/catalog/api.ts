import { ListWebhookEventsQuery } from '@afternoon/contracts/webhooks';
import { parseInput, type RouteDeps, tenantOf } from '@afternoon/service-kit';
import { Router } from 'express';
import { listWebhookEvents } from './getEventsLog';

/** The events log, for the gateway's `GET /v1/events_log`; scoped to the tenant in the request headers. */
export function catalogRoutes({ pool }: RouteDeps): Router {
  const router = Router();
  router.get('/events-log', async (request, response) => {
    response.json(await listWebhookEvents(pool, tenantOf(request), parseInput(ListWebhookEventsQuery, request.query)));
  });
  return router;
}
