import { randomBytes, randomUUID } from 'node:crypto';
import type { Mode } from '@afternoon/contracts/common';
import { Headers } from '@afternoon/contracts/messaging';
import { Topics } from '@afternoon/contracts/topics';
import { WebhookEndpoint, WebhookEndpointList, WebhookEndpointWithSecret } from '@afternoon/contracts/webhooks';
import {
  appendToStream,
  internalApiHeaders,
  type RunningService,
  readStream,
  rebuildProjections,
  type Tenant,
  TenantHeaders,
  withTransaction,
} from '@afternoon/service-kit';
import {
  collectTopic,
  dropSchemas,
  dropTopics,
  eventually,
  produce,
  serviceEnv,
  testInternalApiToken,
  uniqueName,
} from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationProjections, startNotificationService } from '../app';
import { signingSecretsOf, webhookEndpointsProjection } from './getWebhookEndpoints';

const live: Tenant = { organizationId: 'org_endpoints_a', mode: 'live' };
const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;
let idCount = 0;
const newEndpointId = () => `we${randomUUID().replaceAll('-', '').slice(0, 19)}${String(idCount++).padStart(4, '0')}`;

describe('webhook endpoints on real Kafka and Postgres', () => {
  const schema = uniqueName('notifications');
  const topicPrefix = `${uniqueName('ns')}.`;
  let service: RunningService;
  let replies: Awaited<ReturnType<typeof collectTopic>>;
  let events: Awaited<ReturnType<typeof collectTopic>>;

  beforeAll(async () => {
    const env = {
      ...serviceEnv(schema, topicPrefix),
      WEBHOOK_ALLOW_HTTP: false,
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: false,
    };
    service = await startNotificationService(env);
    replies = await collectTopic(`${topicPrefix}${Topics.gatewayReplies.name}`);
    events = await collectTopic(`${topicPrefix}${Topics.notificationEvents.name}`);
  });
  afterAll(async () => {
    await replies.stop();
    await events.stop();
    await service.stop();
    await dropSchemas(schema);
    await dropTopics(topicPrefix);
  });

  /** Sends a command as the gateway does and answers its reply. */
  async function send(type: string, data: { endpoint_id: string; [field: string]: unknown }, tenant: Tenant = live) {
    const commandId = `cmd_${randomUUID()}`;
    const metadata = {
      command_id: commandId,
      correlation_id: `req_${commandId}`,
      request_id: `req_${commandId}`,
      organization_id: tenant.organizationId,
      mode: tenant.mode,
      issued_at: new Date().toISOString(),
    };
    await produce(`${topicPrefix}${Topics.notificationCommands.name}`, [
      { key: data.endpoint_id, value: JSON.stringify({ type, data, metadata }) },
    ]);
    return eventually(() => {
      const reply = replies.messages.map((m) => JSON.parse(m.value!)).find((r) => r.command_id === commandId);
      expect(reply).toBeDefined();
      return reply;
    });
  }

  const create = async (url = 'https://hooks.example.com/a', tenant: Tenant = live) => {
    const data = { endpoint_id: newEndpointId(), url, enabled_events: ['*'], description: null, metadata: {} };
    return { data, reply: await send('CreateWebhookEndpoint', { ...data, secret: newSecret() }, tenant) };
  };

  const ask = async (path: string, tenant: Tenant = live) => {
    const response = await fetch(`http://127.0.0.1:${service.port}${path}`, {
      headers: {
        ...internalApiHeaders(testInternalApiToken),
        [TenantHeaders.organizationId]: tenant.organizationId,
        [TenantHeaders.mode]: tenant.mode,
      },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('shows the secret once, in the create answer, and reads the endpoint back only for its tenant', async () => {
    const { data, reply } = await create();
    expect(reply.ok).toBe(true);
    const answered = WebhookEndpointWithSecret.strict().parse(reply.result);
    expect(answered).toMatchObject({ id: data.endpoint_id, status: 'enabled', disabled_reason: null });

    const got = await ask(`/webhook-endpoints/${data.endpoint_id}`);
    expect(got.status).toBe(200);
    expect(WebhookEndpoint.strict().parse(got.body.webhook_endpoint)).toEqual(
      WebhookEndpoint.parse({ ...answered, secret: undefined }),
    );
    expect(JSON.stringify(got.body)).not.toContain('whsec_');

    for (const stranger of [
      { organizationId: 'org_endpoints_b', mode: 'live' as Mode },
      { ...live, mode: 'test' as Mode },
    ]) {
      const unseen = await ask(`/webhook-endpoints/${data.endpoint_id}`, stranger);
      expect(unseen).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
      expect((await ask('/webhook-endpoints', stranger)).body.webhook_endpoints).toEqual([]);
    }
    // The same id again, for the same tenant, is a conflict.
    const again = await send('CreateWebhookEndpoint', { ...data, secret: newSecret() });
    expect(again).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  it('lists a tenant’s endpoints newest first, a page at a time, without secrets', async () => {
    const tenant: Tenant = { organizationId: 'org_endpoints_list', mode: 'live' };
    const ids: string[] = [];
    for (let n = 0; n < 3; n++) ids.push((await create(`https://hooks.example.com/${n}`, tenant)).data.endpoint_id);

    const first = WebhookEndpointList.parse((await ask('/webhook-endpoints?limit=2', tenant)).body);
    expect(first.webhook_endpoints.map((endpoint) => endpoint.id)).toEqual([ids[2], ids[1]]);
    expect(first.pagination.has_more).toBe(true);
    const cursor = encodeURIComponent(first.pagination.next_cursor!);
    const second = WebhookEndpointList.parse((await ask(`/webhook-endpoints?limit=2&cursor=${cursor}`, tenant)).body);
    expect(second.webhook_endpoints.map((endpoint) => endpoint.id)).toEqual([ids[0]]);
    expect(second.pagination).toEqual({ has_more: false, next_cursor: null });
    expect((await ask('/webhook-endpoints?limit=0', tenant)).status).toBe(400);
  });

  it('refuses http in live mode naming url, and takes it in test mode', async () => {
    const refused = await create('http://hooks.example.com/plain');
    expect(refused.reply).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR', param: 'url' } });
    expect((await ask(`/webhook-endpoints/${refused.data.endpoint_id}`)).status).toBe(404);

    const { data } = await create('https://hooks.example.com/secure');
    const update = await send('UpdateWebhookEndpoint', {
      endpoint_id: data.endpoint_id,
      changes: { url: 'http://hooks.example.com/plain' },
    });
    expect(update).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR', param: 'url' } });

    const testMode = await create('http://hooks.example.com/plain', { ...live, mode: 'test' });
    expect(testMode.reply).toMatchObject({ ok: true, result: { url: 'http://hooks.example.com/plain' } });
  });

  it('updates, disables and re-enables an endpoint, answering it without its secret', async () => {
    const { data } = await create();
    const id = data.endpoint_id;
    const changed = await send('UpdateWebhookEndpoint', {
      endpoint_id: id,
      changes: { url: 'https://hooks.example.com/b', enabled_events: ['invoice.paid'], enabled: false },
    });
    expect(WebhookEndpoint.strict().parse(changed.result)).toMatchObject({
      url: 'https://hooks.example.com/b',
      enabled_events: ['invoice.paid'],
      status: 'disabled',
      disabled_reason: 'by_request',
    });
    expect((await ask(`/webhook-endpoints/${id}`)).body.webhook_endpoint).toEqual(changed.result);

    const reEnabled = await send('UpdateWebhookEndpoint', { endpoint_id: id, changes: { enabled: true } });
    expect(reEnabled.result).toMatchObject({ status: 'enabled', disabled_reason: null });
    expect((await ask(`/webhook-endpoints/${id}`)).body.webhook_endpoint).toEqual(reEnabled.result);
  });

  it('deletes an endpoint: 404 afterwards, and NOT_FOUND to any later command', async () => {
    const { data } = await create();
    const id = data.endpoint_id;
    expect(await send('DeleteWebhookEndpoint', { endpoint_id: id })).toMatchObject({
      ok: true,
      result: { id, deleted: true },
    });
    expect((await ask(`/webhook-endpoints/${id}`)).status).toBe(404);
    expect(await send('RotateWebhookSecret', { endpoint_id: id, secret: newSecret() })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });

  it('signs with both secrets for 24 hours after a rotation, then with the new one alone', async () => {
    const { data, reply } = await create();
    const id = data.endpoint_id;
    const rotatedTo = newSecret();
    const rotated = await send('RotateWebhookSecret', { endpoint_id: id, secret: rotatedTo });
    expect(WebhookEndpointWithSecret.strict().parse(rotated.result).secret).toBe(rotatedTo);

    const [stored] = await readStream(service.pool, `webhook_endpoint-${id}`, live).then((all) => all.slice(1));
    const expiresAt = Date.parse((stored!.data as { previous_expires_at: string }).previous_expires_at);
    expect(expiresAt - Date.parse(stored!.metadata.occurred_at)).toBe(24 * 60 * 60 * 1000);
    expect(await signingSecretsOf(service.pool, id, new Date())).toEqual([rotatedTo, reply.result.secret]);
    expect(await signingSecretsOf(service.pool, id, new Date(expiresAt - 1))).toEqual([rotatedTo, reply.result.secret]);
    expect(await signingSecretsOf(service.pool, id, new Date(expiresAt))).toEqual([rotatedTo]);
    expect(await signingSecretsOf(service.pool, 'wenosuchendpoint000000000', new Date())).toEqual([]);
  });

  it('publishes the endpoint events on notification.events without their secrets', async () => {
    const { data } = await create();
    await send('RotateWebhookSecret', { endpoint_id: data.endpoint_id, secret: newSecret() });
    const streamId = `webhook_endpoint-${data.endpoint_id}`;
    const published = await eventually(() => {
      const found = events.messages.filter((message) => message.key === streamId);
      expect(found).toHaveLength(2);
      return found;
    });
    expect(published.map((message) => message.headers[Headers.eventType])).toEqual([
      'afternoon.notifications.v1.webhook_endpoint_created',
      'afternoon.notifications.v1.webhook_secret_rotated',
    ]);
    for (const message of published) expect(message.value).not.toContain('whsec_');
    expect(JSON.parse(published[1]!.value!).data).toHaveProperty('previous_expires_at');
    // The event store keeps them, for the sender and for a rebuild.
    const stored = await readStream(service.pool, streamId, live);
    expect(stored.map((event) => (event.data as { secret?: string }).secret)).toEqual([
      expect.stringMatching(/^whsec_/),
      expect.stringMatching(/^whsec_/),
    ]);
  });

  it('rebuilds the table from the event store, secrets and a failing endpoint’s standing included', async () => {
    const { data } = await create();
    const id = data.endpoint_id;
    await send('RotateWebhookSecret', { endpoint_id: id, secret: newSecret() });
    // The deliveries append this to the endpoint's stream after 3 days of failures.
    await withTransaction(service.pools.ingest, async (tx) => {
      const streamId = `webhook_endpoint-${id}`;
      const history = await readStream(tx, streamId, live);
      const at = new Date().toISOString();
      const disabled = {
        type: 'WebhookEndpointDisabled',
        data: { endpoint_id: id, reason: 'failing', failing_since: at, occurred_at: at },
      };
      const metadata = { organization_id: live.organizationId, mode: live.mode, occurred_at: at };
      const stored = await appendToStream(tx, streamId, history.length, [disabled], {
        ...metadata,
        correlation_id: 'req_failing',
        causation_id: 'delivery_failing',
      });
      for (const event of stored) await webhookEndpointsProjection.apply(tx, event);
    });
    expect((await ask(`/webhook-endpoints/${id}`)).body.webhook_endpoint).toMatchObject({
      status: 'disabled',
      disabled_reason: 'failing',
    });

    const snapshot = async () => (await service.pool.query('SELECT * FROM webhook_endpoints ORDER BY id')).rows;
    const before = await snapshot();
    expect(before.find((row) => row.id === id)).toMatchObject({
      previous_secret: expect.stringMatching(/^whsec_/),
      status: 'disabled',
    });
    await service.pool.query("UPDATE webhook_endpoints SET secret = 'corrupted', previous_secret = NULL");
    await rebuildProjections(service.pool, notificationProjections);
    expect(await snapshot()).toEqual(before);
  });
});
