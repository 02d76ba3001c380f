import {
  CreateWebhookEndpointBody,
  ListWebhookDeliveriesQuery,
  ListWebhookEndpointsQuery,
  ListWebhookEventsQuery,
  ReplayWebhookEventsBody,
  UpdateWebhookEndpointBody,
} from '@afternoon/contracts/webhooks';
import type { Fixtures } from './fixtures';
import { type RouteFuzz, routeKey } from './routeFuzz';

const webhookEndpoints = (f: Fixtures) => [
  '/v1/webhook_endpoints?limit=100',
  `/v1/webhook_endpoints/${f.webhookEndpoint}`,
];
const webhookDeliveries = (f: Fixtures) => [`/v1/webhook_endpoints/${f.webhookEndpoint}/deliveries?limit=100`];

/** The webhook routes (issue 14): endpoints, their deliveries, retries and replays, and the events log. */
export const webhookRouteDescriptions: Record<string, RouteFuzz> = {
  // Stripe's events (issue 15): public, the body read raw; nothing unsigned gets past the signature check (400).
  [routeKey('POST', '/webhooks/stripe/:organization_id')]: {
    auth: 'none',
    params: { organization_id: 'organization' },
  },
  [routeKey('POST', '/v1/webhook_endpoints')]: {
    auth: 'key',
    body: CreateWebhookEndpointBody,
    sample: () => ({ url: 'http://127.0.0.1:9/webhooks', enabled_events: ['invoice.paid'], description: 'Fuzz' }),
    readBack: webhookEndpoints,
  },
  [routeKey('GET', '/v1/webhook_endpoints')]: { auth: 'key', query: ListWebhookEndpointsQuery },
  [routeKey('GET', '/v1/webhook_endpoints/:id')]: { auth: 'key', params: { id: 'webhookEndpoint' } },
  [routeKey('PATCH', '/v1/webhook_endpoints/:id')]: {
    auth: 'key',
    params: { id: 'webhookEndpoint' },
    body: UpdateWebhookEndpointBody,
    sample: () => ({ description: 'Renamed' }),
    readBack: webhookEndpoints,
  },
  [routeKey('DELETE', '/v1/webhook_endpoints/:id')]: {
    auth: 'key',
    params: { id: 'webhookEndpoint' },
    readBack: webhookEndpoints,
  },
  [routeKey('POST', '/v1/webhook_endpoints/:id/rotate_secret')]: {
    auth: 'key',
    params: { id: 'webhookEndpoint' },
    readBack: webhookEndpoints,
  },
  [routeKey('GET', '/v1/webhook_endpoints/:id/deliveries')]: {
    auth: 'key',
    params: { id: 'webhookEndpoint' },
    query: ListWebhookDeliveriesQuery,
  },
  [routeKey('POST', '/v1/webhook_deliveries/:id/retry')]: {
    auth: 'key',
    params: { id: 'webhookDelivery' },
    readBack: webhookDeliveries,
  },
  [routeKey('POST', '/v1/webhook_endpoints/:id/replay')]: {
    auth: 'key',
    params: { id: 'webhookEndpoint' },
    body: ReplayWebhookEventsBody,
    sample: () => ({ from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z', types: ['customer.created'] }),
    readBack: webhookDeliveries,
  },
  [routeKey('GET', '/v1/events_log')]: { auth: 'key', query: ListWebhookEventsQuery },
};
