import {
  type WebhookEndpoint,
  WebhookEndpointCreated,
  WebhookEndpointDeleted,
  WebhookEndpointDisabled,
  WebhookEndpointUpdated,
  type WebhookEndpointWithSecret,
  WebhookSecret,
  WebhookSecretRotated,
} from '@afternoon/contracts/webhooks';
import { z } from 'zod';

// In the store the secrets are always there: only the published copies leave them out.
const StoredEndpointCreated = WebhookEndpointCreated.extend({
  data: WebhookEndpointCreated.shape.data.extend({ secret: WebhookSecret }),
});
const StoredSecretRotated = WebhookSecretRotated.extend({
  data: WebhookSecretRotated.shape.data.extend({ secret: WebhookSecret }),
});

/** The events of an endpoint's stream (`webhook_endpoint-<id>`); `WebhookEndpointDisabled` is the deliveries'. */
export const WebhookEndpointEvent = z.discriminatedUnion('type', [
  StoredEndpointCreated,
  WebhookEndpointUpdated,
  WebhookEndpointDeleted,
  StoredSecretRotated,
  WebhookEndpointDisabled,
]);
export type WebhookEndpointEvent = z.infer<typeof WebhookEndpointEvent>;

interface Registered {
  id: string;
  url: string;
  enabledEvents: string[];
  description: string | null;
  metadata: Record<string, string>;
  secret: string;
  createdAt: string;
  updatedAt: string;
}

/** Whether an endpoint is sent to, and if not, why. */
type Standing = { status: 'enabled' } | { status: 'disabled'; disabledReason: 'failing' | 'by_request' };

export type RegisteredEndpoint = Registered & Standing;

export type WebhookEndpointState = { status: 'absent' } | RegisteredEndpoint | { status: 'deleted'; id: string };

export function initialState(): WebhookEndpointState {
  return { status: 'absent' };
}

export function evolve(state: WebhookEndpointState, event: WebhookEndpointEvent): WebhookEndpointState {
  switch (event.type) {
    case 'WebhookEndpointCreated':
      return {
        status: 'enabled',
        id: event.data.endpoint_id,
        url: event.data.url,
        enabledEvents: event.data.enabled_events,
        description: event.data.description,
        metadata: event.data.metadata,
        secret: event.data.secret,
        createdAt: event.data.occurred_at,
        updatedAt: event.data.occurred_at,
      };
    case 'WebhookEndpointUpdated':
      return isRegistered(state) ? updated(state, event) : state;
    case 'WebhookSecretRotated':
      if (!isRegistered(state)) return state;
      return { ...state, secret: event.data.secret, updatedAt: event.data.occurred_at };
    case 'WebhookEndpointDisabled':
      if (!isRegistered(state)) return state;
      return { ...state, status: 'disabled', disabledReason: 'failing', updatedAt: event.data.occurred_at };
    case 'WebhookEndpointDeleted':
      return { status: 'deleted', id: event.data.endpoint_id };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

function updated(state: RegisteredEndpoint, event: WebhookEndpointUpdated): RegisteredEndpoint {
  const { url, enabled_events, description, metadata, enabled } = event.data.changes;
  return {
    id: state.id,
    url: url ?? state.url,
    enabledEvents: enabled_events ?? state.enabledEvents,
    description: description === undefined ? state.description : description,
    metadata: metadata ?? state.metadata,
    secret: state.secret,
    createdAt: state.createdAt,
    updatedAt: event.data.occurred_at,
    ...(enabled === undefined ? standingOf(state) : standingAsRequested(enabled)),
  };
}

function standingOf(state: RegisteredEndpoint): Standing {
  return state.status === 'enabled'
    ? { status: 'enabled' }
    : { status: 'disabled', disabledReason: state.disabledReason };
}

function standingAsRequested(enabled: boolean): Standing {
  return enabled ? { status: 'enabled' } : { status: 'disabled', disabledReason: 'by_request' };
}

export function isRegistered(state: WebhookEndpointState): state is RegisteredEndpoint {
  return state.status === 'enabled' || state.status === 'disabled';
}

/** The public shape of a registered endpoint, without its secret. */
export function toWebhookEndpoint(state: RegisteredEndpoint): WebhookEndpoint {
  return {
    id: state.id,
    url: state.url,
    enabled_events: state.enabledEvents,
    description: state.description,
    metadata: state.metadata,
    status: state.status,
    disabled_reason: state.status === 'disabled' ? state.disabledReason : null,
    created_at: state.createdAt,
    updated_at: state.updatedAt,
  };
}

/** The create and rotate answers: the endpoint with its current secret. */
export function toWebhookEndpointWithSecret(state: RegisteredEndpoint): WebhookEndpointWithSecret {
  return { ...toWebhookEndpoint(state), secret: state.secret };
}
