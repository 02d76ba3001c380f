import { ListWebhookEventsQuery, WebhookEventList } from '@afternoon/contracts/webhooks';
import { Router } from 'express';
import { callerOf } from '../http/requestContext';
import { respond } from '../http/respond';
import { validate } from '../http/validation';
import { queryService } from '../queries/serviceQuery';
import type { RouteDeps } from '../routeDeps';

/** `GET /v1/events_log`: every webhook event of the last 30 days, as sent or as it would be, newest first. */
export function eventsLogRoutes(deps: RouteDeps): Router {
  const router = Router();

  router.get('/v1/events_log', async (request, response) => {
    const query = validate(ListWebhookEventsQuery, request.query, 'query');
    const list = await queryService(deps.services.notifications, '/events-log', callerOf(response), WebhookEventList, {
      ...request.query,
      limit: String(query.limit),
    });
    respond(response, 200, list);
  });

  return router;
}
