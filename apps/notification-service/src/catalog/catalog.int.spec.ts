import { Topics } from '@afternoon/contracts/topics';
import { type WebhookEvent, type WebhookEventList, WebhookEventType } from '@afternoon/contracts/webhooks';
import {
  internalApiHeaders,
  newResourceId,
  type RunningService,
  type Tenant,
  TenantHeaders,
  withTransaction,
} from '@afternoon/service-kit';
import {
  customerCreatedRecord,
  dropSchemas,
  dropTopics,
  eventually,
  produce,
  serviceEnv,
  testInternalApiToken,
  uniqueName,
} from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NotificationServiceSettings, startNotificationService } from '../app';
import { insertEndpoint } from '../deliveries/deliveries.testing';
import { withRebuildConnections } from '../rebuild.testing';
import { rebuildCatalog } from './rebuildCatalog';
import { recordWebhookEvent } from './recordWebhookEvent';
import { catalogScenario } from './test/catalogScenario';
import { inMemoryCatalog } from './test/inMemoryCatalog';
import { deadLetteredUsage, type SourceEventRecord } from './test/sourceRecords';
import { webhookEvent } from './toWebhookEvents';
import { webhookEventId } from './webhookEventId';

/** Every type the topics can source: all but the service's own (an alert's threshold, an endpoint disabled). */
const ownTypes: WebhookEventType[] = ['usage.threshold_reached', 'webhook_endpoint.disabled'];
const sourcedTypes = WebhookEventType.options.filter((type) => !ownTypes.includes(type));

describe('the catalog: other services’ topics into the events log', () => {
  const schema = uniqueName('notifications_catalog');
  const topicPrefix = `${uniqueName('catalog')}.`;
  const env: NotificationServiceSettings = {
    ...serviceEnv(schema, topicPrefix),
    WEBHOOK_ALLOW_HTTP: true,
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: true,
  };
  const tenant: Tenant = { organizationId: uniqueName('org_catalog'), mode: 'live' };
  const otherOrganization: Tenant = { organizationId: uniqueName('org_other'), mode: 'live' };
  const scenario = catalogScenario(tenant);
  const topic = (name: string) => `${topicPrefix}${name}`;
  const rejected = [
    deadLetteredUsage(tenant, {
      reason: 'unknown customer: cus_1',
      code: 'unknown_customer',
      source: 'usage.ingest/0/10',
    }),
    // Dead-lettered before metering put the code in a header: the catalog reads it from the text.
    deadLetteredUsage(tenant, { reason: 'invalid usage record: timestamp: bad', source: 'usage.ingest/1/11' }),
  ];
  // What the catalog must make of the events topics, as its pure translation says.
  const translate = inMemoryCatalog();
  const expected = [...scenario.customer, ...scenario.invoicing].flatMap((record) => translate(record));
  const total = expected.length + rejected.length;
  let service: RunningService;
  let running = false;

  async function eventsLog(asker: Tenant, query = ''): Promise<WebhookEventList> {
    const response = await fetch(`http://127.0.0.1:${service.port}/events-log${query}`, {
      headers: {
        ...internalApiHeaders(testInternalApiToken),
        [TenantHeaders.organizationId]: asker.organizationId,
        [TenantHeaders.mode]: asker.mode,
      },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as WebhookEventList;
  }

  /** Every page of the tenant's log, `limit` at a time. */
  async function wholeLog(asker: Tenant, limit: number, type?: WebhookEventType): Promise<WebhookEvent[]> {
    const events: WebhookEvent[] = [];
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({
        limit: String(limit),
        ...(type ? { type } : {}),
        ...(cursor ? { cursor } : {}),
      });
      const page = await eventsLog(asker, `?${query}`);
      events.push(...page.events);
      cursor = page.pagination.next_cursor;
      expect(page.pagination.has_more).toBe(cursor !== null);
    } while (cursor);
    return events;
  }

  const fullLog = () =>
    eventually(
      async () => {
        const events = (await wholeLog(tenant, 100)).filter((event) => event.type !== 'webhook_endpoint.disabled');
        expect(events).toHaveLength(total);
        return events;
      },
      { timeout: 60_000, label: 'every event in the log' },
    );

  const twice = (records: SourceEventRecord[]) => [...records, ...records];

  /** The text each of the tenant's events is sent as, by id. */
  async function storedBodies(): Promise<Map<string, string>> {
    const { rows } = await service.pool.query<{ id: string; body: string }>(
      'SELECT id, body FROM webhook_events WHERE organization_id = $1 AND mode = $2',
      [tenant.organizationId, tenant.mode],
    );
    return new Map(rows.map((row) => [row.id, row.body]));
  }

  beforeAll(async () => {
    service = await startNotificationService(env);
    running = true;
    await produce(topic(Topics.customerEvents.name), twice(scenario.customer));
    await produce(topic(Topics.invoiceEvents.name), twice(scenario.invoicing));
    const dlq = rejected.map(({ key, value, headers }) => ({ key, value, headers }));
    await produce(topic(Topics.usageIngestDeadLetter.name), twice(dlq));
  });
  afterAll(async () => {
    if (running) await service.stop();
    await dropSchemas(schema);
    await dropTopics(topicPrefix);
  });

  it('records each event once, though every record came twice, as the translation makes it', async () => {
    const events = await fullLog();
    expect(new Set(events.map((event) => event.id)).size).toBe(total);
    const byId = new Map(events.map((event) => [event.id, event]));
    for (const event of expected) expect(byId.get(event.id)).toEqual(event);
    expect(new Set(events.map((event) => event.type))).toEqual(new Set(sourcedTypes));
  });

  it('keeps each body as the translation wrote it, byte for byte, and the log shows it in the same order', async () => {
    const events = await fullLog();
    const bodies = await storedBodies();
    // A later event of a subject is made from its state as stored; jsonb would have reordered both.
    for (const event of expected) expect(bodies.get(event.id)).toBe(JSON.stringify(event));
    for (const event of events) expect(JSON.stringify(event)).toBe(bodies.get(event.id));
  });

  it('tells dead-lettered usage as events.rejected, with the id of where it was refused', async () => {
    await fullLog();
    const events = await wholeLog(tenant, 100, 'events.rejected');
    expect(events.map((event) => event.id).sort()).toEqual(
      rejected.map(({ headers }) => webhookEventId(headers['afternoon-dead-letter-source']!, 'events.rejected')).sort(),
    );
    expect(events.map((event) => event.data.reason_code).sort()).toEqual(['invalid_record', 'unknown_customer']);
  });

  it('shows a tenant its own events only', async () => {
    await fullLog();
    expect((await eventsLog(otherOrganization)).events).toEqual([]);
    expect((await eventsLog({ ...tenant, mode: 'test' })).events).toEqual([]);
  });

  it('filters by type and pages newest first without gaps or repeats', async () => {
    const events = await fullLog();
    const paged = await wholeLog(tenant, 4);
    expect(paged.map((event) => event.id)).toEqual(events.map((event) => event.id));
    const finalized = await wholeLog(tenant, 1, 'invoice.finalized');
    expect(finalized).toHaveLength(3);
    expect(finalized.every((event) => event.type === 'invoice.finalized')).toBe(true);
    const bad = await fetch(`http://127.0.0.1:${service.port}/events-log?type=invoice.exploded`, {
      headers: {
        ...internalApiHeaders(testInternalApiToken),
        [TenantHeaders.organizationId]: tenant.organizationId,
        [TenantHeaders.mode]: tenant.mode,
      },
    });
    expect(bad.status).toBe(400);
  });

  it('records an event the deliveries make, once: webhook_endpoint.disabled', async () => {
    const disabled = webhookEvent(
      'webhook_endpoint.disabled',
      webhookEventId('endpoint-disabled-test', 'webhook_endpoint.disabled'),
      { timestamp: new Date().toISOString(), mode: tenant.mode },
      {
        endpoint_id: newResourceId(),
        url: 'https://hooks.example.com/afternoon',
        failing_since: '2026-03-01T00:00:00.000Z',
      },
    );
    const outbox = { schema: service.schema, kafka: service.kafka };
    const record = () => withTransaction(service.pool, (tx) => recordWebhookEvent(tx, tenant, disabled, outbox));
    expect(await record()).toBe(true);
    expect(await record()).toBe(false);
    expect((await eventsLog(tenant, '?type=webhook_endpoint.disabled')).events).toEqual([disabled]);
  });

  it('makes the same events with the same ids after a rebuild from the topics, scheduling only what is new', async () => {
    const before = await fullLog();
    const bodiesBefore = await storedBodies();
    // An endpoint made after the events: the replay must not send it the history, a new event must reach it.
    const endpoint = await insertEndpoint(service, tenant, 'http://127.0.0.1:9/hook');
    await service.stop();
    running = false;
    await withRebuildConnections(env, async (connections) => {
      await rebuildCatalog(connections);
      // Where the catalog had got, so the replay schedules no delivery again: the customer topic's partition at least.
      const { rows } = await connections.pool.query('SELECT topic FROM catalog_replayed_offsets');
      expect(rows.map((row) => row.topic)).toContain(topic(Topics.customerEvents.name));
    });
    service = await startNotificationService(env);
    running = true;
    const after = await fullLog();
    expect(after).toEqual(before);
    expect(await storedBodies()).toEqual(bodiesBefore);
    // The service's own event is no topic's to replay: the rebuild kept it.
    expect((await eventsLog(tenant, '?type=webhook_endpoint.disabled')).events).toHaveLength(1);
    const scheduled = async () =>
      (await service.pool.query('SELECT event_id FROM webhook_deliveries WHERE endpoint_id = $1', [endpoint.id])).rows;
    expect(await scheduled()).toEqual([]);
    const created = customerCreatedRecord(tenant, newResourceId());
    await produce(topic(Topics.customerEvents.name), [created]);
    const id = webhookEventId(JSON.parse(created.value).event_id, 'customer.created');
    await eventually(async () => expect(await scheduled()).toEqual([{ event_id: id }]), {
      timeout: 30_000,
      label: 'the new event scheduled',
    });
  });
});
