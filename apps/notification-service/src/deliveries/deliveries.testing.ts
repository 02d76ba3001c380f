import { randomBytes, randomUUID } from 'node:crypto';
import type { Mode } from '@afternoon/contracts/common';
import { Topics } from '@afternoon/contracts/topics';
import type { WebhookDelivery, WebhookEvent, WebhookEventType } from '@afternoon/contracts/webhooks';
import { internalApiHeaders, type RunningService, TenantHeaders, withTransaction } from '@afternoon/service-kit';
import { type collectTopic, eventually, produce, serviceEnv, testInternalApiToken } from '@afternoon/testkit';
import { expect } from 'vitest';
import { type NotificationServiceSettings, startNotificationService } from '../app';
import { scheduleDeliveries } from './scheduleDeliveries';

/** The schedule's clock in tests: the real time moved forward by what a test skipped, so it never runs behind. */
export class MovableClock {
  private skippedMs = 0;
  readonly now = () => new Date(Date.now() + this.skippedMs);
  skip(ms: number) {
    this.skippedMs += ms;
  }
}

export type SenderSettings = Partial<
  Pick<
    NotificationServiceSettings,
    'WEBHOOK_TIMEOUT_MS' | 'WEBHOOK_ALLOW_PRIVATE_NETWORKS' | 'WEBHOOK_SENDER_LEASE_MS' | 'WEBHOOK_ALLOW_HTTP'
  >
>;

/** notification-service on the test cluster, its webhook sender on `clock`, looking for due deliveries often. */
export async function startDeliveringService(
  schema: string,
  topicPrefix: string,
  clock: MovableClock,
  settings: SenderSettings = {},
): Promise<RunningService> {
  return startNotificationService(
    {
      ...serviceEnv(schema, topicPrefix),
      WEBHOOK_ALLOW_HTTP: false,
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: true,
      WEBHOOK_TIMEOUT_MS: 3_000,
      WEBHOOK_SENDER_INTERVAL_MS: 50,
      WEBHOOK_SENDER_LEASE_MS: 30_000,
      WEBHOOK_SENDER_MAX_IN_FLIGHT: 20,
      WEBHOOK_SENDER_MAX_IN_FLIGHT_PER_ENDPOINT: 2,
      ...settings,
    },
    { now: clock.now },
  );
}

export interface TestTenant {
  organizationId: string;
  mode: Mode;
}

export const newTenant = (mode: Mode = 'test'): TestTenant => ({
  organizationId: `org_${randomBytes(6).toString('hex')}`,
  mode,
});
export const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
const resourceId = (letter: string) => `${letter}${randomBytes(16).toString('hex').slice(0, 24)}`;

/** An endpoint as the endpoints slice's projection would hold it. */
export async function insertEndpoint(
  service: RunningService,
  tenant: TestTenant,
  url: string,
  options: { events?: string[]; secret?: string } = {},
) {
  const endpoint = { id: resourceId('w'), secret: options.secret ?? newSecret() };
  await service.pool.query(
    `INSERT INTO webhook_endpoints (id, organization_id, mode, url, enabled_events, secret, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, now(), now())`,
    [endpoint.id, tenant.organizationId, tenant.mode, url, options.events ?? ['*'], endpoint.secret],
  );
  return endpoint;
}

/** An event as the catalog records it, with its deliveries scheduled in the same transaction, due at `now`. */
export async function recordEvent(
  service: RunningService,
  tenant: TestTenant,
  now: Date,
  options: { type?: WebhookEventType; occurredAt?: Date; schedule?: boolean } = {},
): Promise<{ event: WebhookEvent; scheduled: number }> {
  const occurredAt = options.occurredAt ?? now;
  const event: WebhookEvent = {
    id: `evt_${randomBytes(16).toString('hex')}`,
    type: options.type ?? 'customer.created',
    version: 1,
    timestamp: occurredAt.toISOString(),
    mode: tenant.mode,
    data: { customer: { id: resourceId('c'), name: 'Ada Lovelace' } },
  };
  const scheduled = await withTransaction(service.pool, async (tx) => {
    await tx.query(
      `INSERT INTO webhook_events (id, organization_id, mode, type, version, occurred_at, body)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [event.id, tenant.organizationId, tenant.mode, event.type, event.version, occurredAt, JSON.stringify(event)],
    );
    return options.schedule === false ? 0 : scheduleDeliveries(tx, tenant, event, service, now);
  });
  return { event, scheduled };
}

/** The body every delivery of the event carries: its text as the catalog recorded it. */
export async function storedBody(service: RunningService, eventId: string): Promise<string> {
  const { rows } = await service.pool.query<{ body: string }>('SELECT body FROM webhook_events WHERE id = $1', [
    eventId,
  ]);
  return rows[0]!.body;
}

/** GET on the service's internal API as the gateway asks it, for `tenant`. */
export async function internalGet(service: RunningService, path: string, tenant: TestTenant) {
  const response = await fetch(`http://127.0.0.1:${service.port}${path}`, {
    headers: {
      ...internalApiHeaders(testInternalApiToken),
      [TenantHeaders.organizationId]: tenant.organizationId,
      [TenantHeaders.mode]: tenant.mode,
    },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export async function deliveryOf(service: RunningService, tenant: TestTenant, id: string): Promise<WebhookDelivery> {
  const { status, body } = await internalGet(service, `/webhook-deliveries/${id}`, tenant);
  expect(status).toBe(200);
  return body.delivery as WebhookDelivery;
}

/** The deliveries of one endpoint, newest first. */
export async function deliveriesOf(service: RunningService, tenant: TestTenant, endpointId: string) {
  const { status, body } = await internalGet(service, `/webhook-endpoints/${endpointId}/deliveries`, tenant);
  expect(status).toBe(200);
  return body.deliveries as WebhookDelivery[];
}

/** Sends a command as the gateway does and waits for its reply. */
export async function sendCommand(
  topicPrefix: string,
  replies: Awaited<ReturnType<typeof collectTopic>>,
  tenant: TestTenant,
  type: string,
  data: { endpoint_id: string } & Record<string, unknown>,
  issuedAt: Date,
) {
  const commandId = `cmd_${randomUUID()}`;
  await produce(`${topicPrefix}${Topics.notificationCommands.name}`, [
    {
      key: data.endpoint_id,
      value: JSON.stringify({
        type,
        data,
        metadata: {
          command_id: commandId,
          correlation_id: `req_${commandId}`,
          request_id: `req_${commandId}`,
          organization_id: tenant.organizationId,
          mode: tenant.mode,
          issued_at: issuedAt.toISOString(),
        },
      }),
    },
  ]);
  return eventually(
    () => {
      const reply = replies.messages
        .map((message) => JSON.parse(message.value!))
        .find((candidate) => candidate.command_id === commandId);
      expect(reply).toBeDefined();
      return reply as { ok: boolean; result?: unknown; error?: { code: string } };
    },
    { timeout: 20_000, label: `reply to ${type}` },
  );
}
