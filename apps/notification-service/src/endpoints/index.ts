import { webhookEventWireNames } from '@afternoon/contracts/webhooks';
import { type AggregateDefinition, commandTypesOf, type Slice } from '@afternoon/service-kit';
import { webhookEndpointRoutes } from './api';
import {
  type UrlPolicy,
  type WebhookEndpointCommand,
  WebhookEndpointCommandSchema,
  webhookEndpointDecider,
} from './businessLogic';
import { webhookEndpointsProjection } from './getWebhookEndpoints';
import {
  isRegistered,
  toWebhookEndpoint,
  toWebhookEndpointWithSecret,
  WebhookEndpointEvent,
  type WebhookEndpointState,
} from './webhookEndpoint';

type EndpointAggregate = AggregateDefinition<WebhookEndpointCommand, WebhookEndpointEvent, WebhookEndpointState>;

function webhookEndpointAggregate(policy: UrlPolicy): EndpointAggregate {
  return {
    commandTypes: commandTypesOf(WebhookEndpointCommandSchema),
    commandSchema: WebhookEndpointCommandSchema,
    eventSchema: WebhookEndpointEvent,
    eventWireNames: webhookEventWireNames,
    streamId: (command) => `webhook_endpoint-${command.data.endpoint_id}`,
    decider: webhookEndpointDecider(policy),
    publishedData: withoutSecret,
    result(state, command) {
      if (!isRegistered(state)) return { id: command.data.endpoint_id, deleted: true };
      const showsSecret = command.type === 'CreateWebhookEndpoint' || command.type === 'RotateWebhookSecret';
      return showsSecret ? toWebhookEndpointWithSecret(state) : toWebhookEndpoint(state);
    },
  };
}

// The event store keeps the secrets so a rebuild restores them; `notification.events` never carries them.
function withoutSecret(event: WebhookEndpointEvent): object {
  if (event.type !== 'WebhookEndpointCreated' && event.type !== 'WebhookSecretRotated') return event.data;
  const { secret: _secret, ...published } = event.data;
  return published;
}

/** Webhook endpoints: registered, changed, rotated and deleted by command, read back by id or page. */
export function webhookEndpointsSlice(policy: UrlPolicy): Slice {
  return {
    name: 'webhook_endpoints',
    aggregates: [webhookEndpointAggregate(policy)],
    projections: [webhookEndpointsProjection],
    routes: webhookEndpointRoutes,
  };
}
