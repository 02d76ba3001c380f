import { ResourceId } from '@afternoon/contracts/common';
import { Topics } from '@afternoon/contracts/topics';
import {
  ListWebhookDeliveriesQuery,
  ReplayAnswer,
  ReplayWebhookEventsBody,
  WebhookDelivery,
  WebhookDeliveryAnswer,
  WebhookDeliveryList,
} from '@afternoon/contracts/webhooks';
import { Router } from 'express';
import { commandRoute } from '../commands/commandRoute';
import { existingPathValue } from '../http/pathValue';
import { callerOf } from '../http/requestContext';
import { respond } from '../http/respond';
import { validate } from '../http/validation';
import { queryService } from '../queries/serviceQuery';
import type { RouteDeps } from '../routeDeps';
import { existingEndpointId } from './webhookEndpointRoutes';

/**
 * An endpoint's delivery log, a retry of one delivery and a replay of a window of events: the commands go to
 * notification-service keyed by endpoint (deliveries are scheduled by the endpoint's stream of commands).
 */
export function webhookDeliveryRoutes(deps: RouteDeps): Router {
  const router = Router();
  const topic = Topics.notificationCommands;
  const notifications = deps.services.notifications;

  router.get('/v1/webhook_endpoints/:id/deliveries', async (request, response) => {
    const id = existingEndpointId(request.params.id);
    const query = validate(ListWebhookDeliveriesQuery, request.query, 'query');
    const path = `/webhook-endpoints/${id}/deliveries`;
    const list = await queryService(notifications, path, callerOf(response), WebhookDeliveryList, {
      ...request.query,
      limit: String(query.limit),
    });
    respond(response, 200, list);
  });

  // The command is keyed by endpoint, which only the delivery knows: read it first (a stranger's is not found).
  router.post(
    '/v1/webhook_deliveries/:id/retry',
    commandRoute(deps, async (request, response) => {
      const deliveryId = existingPathValue(request.params.id, ResourceId, 'webhook delivery', 'id');
      const path = `/webhook-deliveries/${deliveryId}`;
      const { delivery } = await queryService(notifications, path, callerOf(response), WebhookDeliveryAnswer);
      return {
        topic,
        key: delivery.endpoint_id,
        type: 'RetryWebhookDelivery',
        data: { endpoint_id: delivery.endpoint_id, delivery_id: deliveryId },
        successStatus: 200,
        successBody: (retried) => ({ delivery: WebhookDelivery.parse(retried) }),
      };
    }),
  );

  // Answered once the window's deliveries are scheduled (200, as the other actions), not when they arrive.
  router.post(
    '/v1/webhook_endpoints/:id/replay',
    commandRoute(deps, (request) => {
      const id = existingEndpointId(request.params.id);
      const body = validate(ReplayWebhookEventsBody, request.body);
      return {
        topic,
        key: id,
        type: 'ReplayWebhookEvents',
        data: { endpoint_id: id, from: utc(body.from), to: utc(body.to), types: body.types ?? null },
        successStatus: 200,
        successBody: (replayed) => ReplayAnswer.parse(replayed),
      };
    }),
  );

  return router;
}

/** Instants travel in UTC, as every timestamp the platform stores. */
function utc(instant: string): string {
  return new Date(instant).toISOString();
}
