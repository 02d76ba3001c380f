import type { Mode } from '@afternoon/contracts/common';
import {
  CreateWebhookEndpoint,
  DeleteWebhookEndpoint,
  RotateWebhookSecret,
  UpdateWebhookEndpoint,
} from '@afternoon/contracts/webhooks';
import {
  ConflictError,
  changedFields,
  type Decider,
  NotFoundError,
  ValidationError,
  type WithMetadata,
} from '@afternoon/service-kit';
import { z } from 'zod';
import {
  evolve,
  initialState,
  isRegistered,
  type RegisteredEndpoint,
  type WebhookEndpointEvent,
  type WebhookEndpointState,
} from './webhookEndpoint';

/** The commands of an endpoint's own stream; retries and replays belong to the deliveries. */
export const WebhookEndpointCommandSchema = z.discriminatedUnion('type', [
  CreateWebhookEndpoint,
  UpdateWebhookEndpoint,
  DeleteWebhookEndpoint,
  RotateWebhookSecret,
]);
export type WebhookEndpointCommand = WithMetadata<z.infer<typeof WebhookEndpointCommandSchema>>;

/** Which URLs an endpoint may have: test mode may always use http, live mode only when this allows it. */
export interface UrlPolicy {
  allowHttpInLiveMode: boolean;
}

/** How long a rotated-out secret keeps signing beside the new one. */
export const previousSecretLifetimeMs = 24 * 60 * 60 * 1000;

export function decide(
  command: WebhookEndpointCommand,
  state: WebhookEndpointState,
  policy: UrlPolicy,
): WebhookEndpointEvent[] {
  const now = command.metadata.issued_at;
  const endpointId = command.data.endpoint_id;
  switch (command.type) {
    case 'CreateWebhookEndpoint': {
      if (state.status !== 'absent') throw new ConflictError(`webhook endpoint ${endpointId} already exists`, 'id');
      assertUrlAllowed(command.data.url, command.metadata.mode, policy);
      return [{ type: 'WebhookEndpointCreated', data: { ...command.data, occurred_at: now } }];
    }
    case 'UpdateWebhookEndpoint': {
      const endpoint = registered(state, endpointId);
      const { enabled, ...fields } = command.data.changes;
      if (fields.url !== undefined) assertUrlAllowed(fields.url, command.metadata.mode, policy);
      const changes = {
        ...changedFields(
          {
            url: endpoint.url,
            enabled_events: endpoint.enabledEvents,
            description: endpoint.description,
            metadata: endpoint.metadata,
          },
          fields,
        ),
        ...(enabled === undefined || enabled === (endpoint.status === 'enabled') ? {} : { enabled }),
      };
      if (Object.keys(changes).length === 0) return [];
      return [{ type: 'WebhookEndpointUpdated', data: { endpoint_id: endpointId, changes, occurred_at: now } }];
    }
    case 'DeleteWebhookEndpoint':
      registered(state, endpointId);
      return [{ type: 'WebhookEndpointDeleted', data: { endpoint_id: endpointId, occurred_at: now } }];
    case 'RotateWebhookSecret': {
      registered(state, endpointId);
      const previousExpiresAt = new Date(Date.parse(now) + previousSecretLifetimeMs).toISOString();
      return [
        {
          type: 'WebhookSecretRotated',
          data: {
            endpoint_id: endpointId,
            secret: command.data.secret,
            previous_expires_at: previousExpiresAt,
            occurred_at: now,
          },
        },
      ];
    }
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}

/** The endpoints' decider, deciding URLs by `policy`. */
export function webhookEndpointDecider(
  policy: UrlPolicy,
): Decider<WebhookEndpointCommand, WebhookEndpointEvent, WebhookEndpointState> {
  return { initialState, evolve, decide: (command, state) => decide(command, state, policy) };
}

export function webhookEndpointNotFound(endpointId: string): NotFoundError {
  return new NotFoundError(`No such webhook endpoint: '${endpointId}'`, 'id');
}

function registered(state: WebhookEndpointState, endpointId: string): RegisteredEndpoint {
  if (!isRegistered(state)) throw webhookEndpointNotFound(endpointId);
  return state;
}

function assertUrlAllowed(url: string, mode: Mode, policy: UrlPolicy): void {
  if (!URL.canParse(url)) throw new ValidationError('url must be an http or https URL', 'url');
  const { protocol } = new URL(url);
  if (protocol === 'https:') return;
  if (protocol !== 'http:') throw new ValidationError('url must be an http or https URL', 'url');
  if (mode === 'live' && !policy.allowHttpInLiveMode) {
    throw new ValidationError('url must use https in live mode', 'url');
  }
}
