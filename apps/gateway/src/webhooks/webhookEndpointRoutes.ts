import { ResourceId } from '@afternoon/contracts/common';
import { Topics } from '@afternoon/contracts/topics';
import {
  CreateWebhookEndpointBody,
  ListWebhookEndpointsQuery,
  UpdateWebhookEndpointBody,
  WebhookEndpoint,
  WebhookEndpointAnswer,
  WebhookEndpointList,
  WebhookEndpointWithSecret,
} from '@afternoon/contracts/webhooks';
import { newResourceId } from '@afternoon/service-kit';
import { Router } from 'express';
import { z } from 'zod';
import { commandRoute } from '../commands/commandRoute';
import { existingPathValue } from '../http/pathValue';
import { callerOf } from '../http/requestContext';
import { respond } from '../http/respond';
import { validate } from '../http/validation';
import { queryService } from '../queries/serviceQuery';
import type { RouteDeps } from '../routeDeps';
import { newWebhookSecret } from './webhookSecret';

const DeletedWebhookEndpoint = z.object({ id: ResourceId, deleted: z.literal(true) });

/** `/v1/webhook_endpoints`: writes become commands to notification-service keyed by endpoint, reads ask its read API. */
export function webhookEndpointRoutes(deps: RouteDeps): Router {
  const router = Router();
  const topic = Topics.notificationCommands;
  const notifications = deps.services.notifications;
  const withSecret = (result: unknown) => ({ webhook_endpoint: WebhookEndpointWithSecret.parse(result) });

  router.post(
    '/v1/webhook_endpoints',
    commandRoute(deps, (request) => {
      const body = validate(CreateWebhookEndpointBody, request.body);
      const endpointId = newResourceId();
      return {
        topic,
        key: endpointId,
        type: 'CreateWebhookEndpoint',
        data: {
          endpoint_id: endpointId,
          url: body.url,
          enabled_events: body.enabled_events,
          description: body.description ?? null,
          metadata: body.metadata ?? {},
          secret: newWebhookSecret(),
        },
        successStatus: 201,
        successBody: withSecret,
      };
    }),
  );

  router.get('/v1/webhook_endpoints', async (request, response) => {
    const query = validate(ListWebhookEndpointsQuery, request.query, 'query');
    const list = await queryService(notifications, '/webhook-endpoints', callerOf(response), WebhookEndpointList, {
      ...request.query,
      limit: String(query.limit),
    });
    respond(response, 200, list);
  });

  router.get('/v1/webhook_endpoints/:id', async (request, response) => {
    const id = existingEndpointId(request.params.id);
    const path = `/webhook-endpoints/${id}`;
    respond(response, 200, await queryService(notifications, path, callerOf(response), WebhookEndpointAnswer));
  });

  router.patch(
    '/v1/webhook_endpoints/:id',
    commandRoute(deps, (request) => {
      const id = existingEndpointId(request.params.id);
      const changes = validate(UpdateWebhookEndpointBody, request.body ?? {});
      return {
        topic,
        key: id,
        type: 'UpdateWebhookEndpoint',
        data: { endpoint_id: id, changes },
        successStatus: 200,
        successBody: (endpoint) => ({ webhook_endpoint: WebhookEndpoint.parse(endpoint) }),
      };
    }),
  );

  router.delete(
    '/v1/webhook_endpoints/:id',
    commandRoute(deps, (request) => {
      const id = existingEndpointId(request.params.id);
      return {
        topic,
        key: id,
        type: 'DeleteWebhookEndpoint',
        data: { endpoint_id: id },
        successStatus: 200,
        successBody: (deleted) => ({ webhook_endpoint: DeletedWebhookEndpoint.parse(deleted) }),
      };
    }),
  );

  // The previous secret keeps signing beside the new one for 24 h, so receivers can switch without losing events.
  router.post(
    '/v1/webhook_endpoints/:id/rotate_secret',
    commandRoute(deps, (request) => {
      const id = existingEndpointId(request.params.id);
      return {
        topic,
        key: id,
        type: 'RotateWebhookSecret',
        data: { endpoint_id: id, secret: newWebhookSecret() },
        successStatus: 200,
        successBody: withSecret,
      };
    }),
  );

  return router;
}

export const existingEndpointId = (value: string | undefined) =>
  existingPathValue(value, ResourceId, 'webhook endpoint', 'id');
