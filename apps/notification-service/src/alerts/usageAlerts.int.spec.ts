import { randomUUID } from 'node:crypto';
import { Alert, AlertAnswer, AlertList, alertEventWireNames } from '@afternoon/contracts/alerts';
import { Headers } from '@afternoon/contracts/messaging';
import type { MeteredEvent, MeteredUsageRecord } from '@afternoon/contracts/meteredUsage';
import { subscriptionEventWireNames } from '@afternoon/contracts/subscriptions';
import { Topics } from '@afternoon/contracts/topics';
import {
  askService,
  newResourceId,
  type RunningService,
  rebuildProjections,
  ServiceRefusedError,
  type Tenant,
} from '@afternoon/service-kit';
import {
  collectTopic,
  commandRecord,
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
import { withRebuildConnections } from '../rebuild.testing';
import { rebuildAlertTotals } from './rebuildAlertTotals';
import { alertStream } from './usageAlertsConsumer';

type Collected = Awaited<ReturnType<typeof collectTopic>>;

describe('usage alerts on real Kafka and Postgres', () => {
  const schema = uniqueName('notifications_alerts');
  const topicPrefix = `${uniqueName('alerts')}.`;
  const topic = (name: string) => `${topicPrefix}${name}`;
  const tenant: Tenant = { organizationId: uniqueName('org_alerts'), mode: 'live' };
  let service: RunningService;
  let replies: Collected;
  let events: Collected;

  const env = { ...serviceEnv(schema, topicPrefix), WEBHOOK_ALLOW_HTTP: false, WEBHOOK_ALLOW_PRIVATE_NETWORKS: false };

  beforeAll(async () => {
    service = await startNotificationService(env);
    replies = await collectTopic(topic(Topics.gatewayReplies.name));
    events = await collectTopic(topic(Topics.notificationEvents.name));
  });
  afterAll(async () => {
    await Promise.all([replies, events].map((collected) => collected?.stop()));
    await service?.stop();
    await dropSchemas(schema);
    await dropTopics(topicPrefix);
  });

  async function send(key: string, type: string, data: unknown): Promise<unknown> {
    const record = commandRecord(tenant, key, type, data);
    const commandId = JSON.parse(record.value).metadata.command_id;
    await produce(topic(Topics.notificationCommands.name), [record]);
    const reply = await eventually(
      () => {
        const found = replies.messages
          .map((message) => JSON.parse(message.value ?? 'null'))
          .find((candidate) => candidate?.command_id === commandId);
        expect(found).toBeDefined();
        return found;
      },
      { timeout: 30_000, label: `reply to ${type}` },
    );
    expect(reply, type).toMatchObject({ ok: true });
    return reply.result;
  }

  async function createAlert(terms: Partial<Omit<Alert, 'id' | 'created_at'>> & { threshold: string }) {
    const alertId = newResourceId();
    const data = {
      alert_id: alertId,
      name: null,
      meter_code: 'tokens',
      customer_id: null,
      scope: 'billing_period',
      ...terms,
    };
    return Alert.parse(await send(alertId, 'CreateAlert', data));
  }

  /** What metering stores of `n` tokens at `timestamp`, received now (after the alerts were created). */
  function tokens(timestamp: string, n: string): MeteredEvent {
    const usageId = newResourceId();
    return {
      usage_id: usageId,
      idempotency_key: `tokens-${usageId}`,
      event_name: 'tokens',
      timestamp,
      received_at: new Date().toISOString(),
      meters: [
        { meter_code: 'tokens', aggregation: 'sum', quantity: n, group: null },
        { meter_code: 'tokens_max', aggregation: 'max', quantity: null, group: null },
      ],
    };
  }

  const metered = (customerId: string, stored: MeteredEvent[]) => {
    const record: MeteredUsageRecord = {
      organization_id: tenant.organizationId,
      mode: tenant.mode,
      customer_id: customerId,
      events: stored,
    };
    return { key: customerId, value: JSON.stringify(record) };
  };
  const publish = (customerId: string, stored: MeteredEvent[]) =>
    produce(topic(Topics.usageMetered.name), [metered(customerId, stored)]);

  /** An event of invoicing's subscription stream as it appears on invoice.events. */
  function subscriptionEvent(
    type: keyof typeof subscriptionEventWireNames,
    subscriptionId: string,
    version: number,
    data: object,
    at: string,
  ) {
    return {
      key: subscriptionId,
      value: JSON.stringify({
        event_id: randomUUID(),
        type: subscriptionEventWireNames[type],
        stream_id: `subscription-${subscriptionId}`,
        version,
        data: { subscription_id: subscriptionId, ...data },
        metadata: {
          organization_id: tenant.organizationId,
          mode: tenant.mode,
          occurred_at: at,
          correlation_id: 'test',
          causation_id: 'test',
        },
      }),
    };
  }

  /** invoicing's SubscriptionCreated, monthly on the 15th from 15 January 2026. */
  function subscriptionCreated(customerId: string, subscriptionId = newResourceId()) {
    const at = '2026-01-15T00:00:00.000Z';
    const terms = {
      customer_id: customerId,
      plan_code: 'tokens_plan',
      plan_version: 1,
      interval: 'month',
      status: 'active',
      start_date: at,
      billing_anchor_day: 15,
      previous_subscription_id: null,
      created_at: at,
    };
    return subscriptionEvent('SubscriptionCreated', subscriptionId, 1, terms, at);
  }

  /** The alert's notices on notification.events, as sent. */
  const noticesOf = (alertId: string) =>
    events.messages
      .filter((message) => message.key === alertStream(alertId))
      .filter((message) => message.headers[Headers.eventType] === alertEventWireNames.AlertThresholdReached)
      .map((message) => JSON.parse(message.value ?? '{}').data);

  it('tells a billing-period alert once per subscription period, exactly at its threshold, and a duplicate counts once', {
    timeout: 120_000,
  }, async () => {
    const customerId = newResourceId();
    await produce(topic(Topics.invoiceEvents.name), [subscriptionCreated(customerId)]);
    const alert = await createAlert({ threshold: '10', customer_id: customerId, name: 'Ten tokens' });
    expect(alert).toMatchObject({
      threshold: '10',
      customer_id: customerId,
      scope: 'billing_period',
      name: 'Ten tokens',
    });

    // Period 15 Jan – 15 Feb: 4 + 6 = 10 (exactly the threshold: told, with u2), then 10 + 5 = 15 (told already).
    const [u1, u2, u3] = [
      tokens('2026-01-20T00:00:00.000Z', '4'),
      tokens('2026-01-25T00:00:00.000Z', '6'),
      tokens('2026-02-01T00:00:00.000Z', '5'),
    ];
    const first = [u1, u2];
    await publish(customerId, first);
    // One event twice in a record counts once.
    await publish(customerId, [u3, u3]);
    // Metering's rebuild republishes the same usage ids: counted once.
    await publish(customerId, first);
    // Period 15 Feb – 15 Mar: 9.5 + 0.5 = 10: told again.
    const [u4, u5] = [tokens('2026-02-16T00:00:00.000Z', '9.5'), tokens('2026-02-20T00:00:00.000Z', '0.5')];
    await publish(customerId, [u4, u5]);

    await eventually(() => expect(noticesOf(alert.id)).toHaveLength(2), { timeout: 60_000, label: 'two notices' });
    expect(noticesOf(alert.id)).toEqual([
      {
        alert_id: alert.id,
        customer_id: customerId,
        meter_code: 'tokens',
        threshold: '10',
        value: '10',
        period_start: '2026-01-15T00:00:00.000Z',
        period_end: '2026-02-15T00:00:00.000Z',
        usage_id: u2.usage_id,
        occurred_at: u2.timestamp,
      },
      expect.objectContaining({ value: '10', period_start: '2026-02-15T00:00:00.000Z', usage_id: u5.usage_id }),
    ]);
    // The duplicate is behind the last record on the same partition, so the totals are final once u5 is counted.
    const { rows } = await service.pool.query(
      `SELECT period_start, quantity::text FROM alert_usage WHERE organization_id = $1 AND customer_id = $2
        AND meter_code = 'tokens' ORDER BY period_start NULLS FIRST`,
      [tenant.organizationId, customerId],
    );
    // Lifetime 4 + 6 + 5 + 9.5 + 0.5 = 25; 15 Jan period 15; 15 Feb period 10; nothing for the `max` meter.
    expect(rows.map((row) => [row.period_start?.toISOString() ?? null, row.quantity])).toEqual([
      [null, '25'],
      ['2026-01-15T00:00:00.000Z', '15'],
      ['2026-02-15T00:00:00.000Z', '10'],
    ]);
    const stored = await service.pool.query('SELECT type FROM events WHERE stream_id = $1 ORDER BY version', [
      alertStream(alert.id),
    ]);
    expect(stored.rows.map((row) => row.type)).toEqual([
      'AlertCreated',
      'AlertThresholdReached',
      'AlertThresholdReached',
    ]);
    // Each notice is in the events log as `usage.threshold_reached`, for the organization's webhook endpoints.
    const told = await service.pool.query(
      `SELECT body::json AS payload FROM webhook_events WHERE organization_id = $1 AND mode = $2
          AND type = 'usage.threshold_reached'
        ORDER BY occurred_at`,
      [tenant.organizationId, tenant.mode],
    );
    expect(told.rows.map((row) => [row.payload.data.period_start, row.payload.data.value])).toEqual([
      ['2026-01-15T00:00:00.000Z', '10'],
      ['2026-02-15T00:00:00.000Z', '10'],
    ]);
  });

  it('counts a customer without a subscription by UTC calendar month, and an alert for every customer', {
    timeout: 120_000,
  }, async () => {
    const customerId = newResourceId();
    const everyone = await createAlert({ threshold: '10' });
    const ever = await createAlert({ threshold: '12', scope: 'lifetime' });
    // January 6, February 6 (no crossing of the monthly alert, lifetime 12: told), then February 6 + 4 = 10: told.
    const last = tokens('2026-02-02T00:00:00.000Z', '4');
    await publish(customerId, [tokens('2026-01-31T23:00:00.000Z', '6'), tokens('2026-02-01T00:00:00.000Z', '6')]);
    await publish(customerId, [last]);
    await eventually(() => expect(noticesOf(everyone.id)).toHaveLength(1), {
      timeout: 60_000,
      label: 'monthly notice',
    });
    expect(noticesOf(everyone.id)[0]).toMatchObject({
      customer_id: customerId,
      value: '10',
      period_start: '2026-02-01T00:00:00.000Z',
      period_end: '2026-03-01T00:00:00.000Z',
      usage_id: last.usage_id,
    });
    expect(noticesOf(ever.id)).toEqual([
      expect.objectContaining({ customer_id: customerId, value: '12', period_start: null, period_end: null }),
    ]);
  });

  it('counts records sent together in their order, each seeing what the ones before it counted and told', {
    timeout: 120_000,
  }, async () => {
    const [ann, bea] = [newResourceId(), newResourceId()];
    const alert = await createAlert({ threshold: '10', scope: 'lifetime' });
    const [a1, a2, a3, b1] = [
      tokens('2026-03-01T00:00:00.000Z', '4'),
      tokens('2026-03-02T00:00:00.000Z', '6'),
      tokens('2026-03-03T00:00:00.000Z', '1'),
      tokens('2026-03-01T00:00:00.000Z', '12'),
    ];
    // An event no additive meter counts changes no total, and is not kept as counted.
    const maxOnly = { ...tokens('2026-03-01T00:00:00.000Z', '0'), meters: [a1.meters[1]] } as MeteredEvent;
    // One send, one partition per customer: the consumer may take them as one batch. Ann reaches 4 + 6 = 10 with a2
    // (told), then 11 (told already); Bea 12 with b1 (told), whose record sits between Ann's.
    await produce(topic(Topics.usageMetered.name), [
      metered(ann, [a1]),
      metered(bea, [b1, maxOnly]),
      metered(ann, [a2]),
      metered(ann, [a3, a1]),
    ]);
    await eventually(() => expect(noticesOf(alert.id)).toHaveLength(2), { timeout: 60_000, label: 'two notices' });
    const told = noticesOf(alert.id).map((notice) => [notice.customer_id, notice.value, notice.usage_id]);
    expect(told.sort()).toEqual(
      [
        [ann, '10', a2.usage_id],
        [bea, '12', b1.usage_id],
      ].sort(),
    );
    await eventually(
      async () => {
        const { rows } = await service.pool.query(
          `SELECT customer_id, quantity::text FROM alert_usage WHERE organization_id = $1 AND customer_id = ANY($2)
              AND meter_code = 'tokens' AND period_start IS NULL ORDER BY customer_id = $3 DESC`,
          [tenant.organizationId, [ann, bea], ann],
        );
        // Ann 4 + 6 + 1 = 11 (a1 again counts once); Bea 12.
        expect(rows.map((row) => [row.customer_id, row.quantity])).toEqual([
          [ann, '11'],
          [bea, '12'],
        ]);
      },
      { timeout: 30_000, label: 'the lifetime totals' },
    );
    const counted = await service.pool.query('SELECT usage_id FROM alert_counted_usage WHERE usage_id = ANY($1)', [
      [a1, a2, a3, b1, maxOnly].map((event) => event.usage_id),
    ]);
    expect(counted.rows.map((row) => row.usage_id).sort()).toEqual([a1, a2, a3, b1].map((e) => e.usage_id).sort());
  });

  it('ends a billing period at a cancellation, and counts by calendar month after it', {
    timeout: 120_000,
  }, async () => {
    const [customerId, subscriptionId] = [newResourceId(), newResourceId()];
    const canceledAt = '2026-02-01T00:00:00.000Z';
    await produce(topic(Topics.invoiceEvents.name), [
      subscriptionCreated(customerId, subscriptionId),
      subscriptionEvent(
        'SubscriptionCanceled',
        subscriptionId,
        2,
        { refund_policy: null, canceled_at: canceledAt },
        canceledAt,
      ),
    ]);
    const alert = await createAlert({ threshold: '10', customer_id: customerId });
    // 15 Jan – 1 Feb (cut by the cancellation): 6; February (no subscription): 6, then 6 + 4 = 10: told.
    const last = tokens('2026-02-06T00:00:00.000Z', '4');
    await publish(customerId, [tokens('2026-01-20T00:00:00.000Z', '6'), tokens('2026-02-05T00:00:00.000Z', '6')]);
    await publish(customerId, [last]);
    await eventually(() => expect(noticesOf(alert.id)).toHaveLength(1), { timeout: 60_000, label: 'notice' });
    expect(noticesOf(alert.id)[0]).toMatchObject({
      value: '10',
      period_start: '2026-02-01T00:00:00.000Z',
      period_end: '2026-03-01T00:00:00.000Z',
      usage_id: last.usage_id,
    });
    const { rows } = await service.pool.query(
      `SELECT period_start, period_end, quantity::text FROM alert_usage
        WHERE organization_id = $1 AND customer_id = $2 AND period_start IS NOT NULL ORDER BY period_start`,
      [tenant.organizationId, customerId],
    );
    expect(rows.map((row) => [row.period_start.toISOString(), row.period_end.toISOString(), row.quantity])).toEqual([
      ['2026-01-15T00:00:00.000Z', canceledAt, '6'],
      [canceledAt, '2026-03-01T00:00:00.000Z', '10'],
    ]);
  });

  it('rebuilds its alerts and notices from the event store to exactly the same rows', { timeout: 60_000 }, async () => {
    const snapshot = async () => ({
      alerts: (await service.pool.query('SELECT * FROM alerts ORDER BY id')).rows,
      notices: (await service.pool.query('SELECT * FROM alert_notices ORDER BY alert_id, customer_id, period_start'))
        .rows,
    });
    const before = await snapshot();
    expect(before.notices.length).toBeGreaterThan(0);
    await service.pool.query("UPDATE alerts SET threshold = 0, name = 'corrupted'");
    await service.pool.query('DELETE FROM alert_notices');
    await rebuildProjections(service.pool, notificationProjections);
    expect(await snapshot()).toEqual(before);
  });

  it('reads alerts back by id and page, scoped to the tenant, and forgets a deleted one', {
    timeout: 60_000,
  }, async () => {
    const api = { url: `http://127.0.0.1:${service.port}`, token: testInternalApiToken };
    const alert = await createAlert({ threshold: '1.5', scope: 'lifetime' });
    const read = await askService(api, { path: `/alerts/${alert.id}`, answer: AlertAnswer, tenant });
    expect(read.alert).toEqual(alert);
    const page = await askService(api, { path: '/alerts', answer: AlertList, tenant, query: { limit: '1' } });
    expect(page.alerts).toEqual([alert]);
    expect(page.pagination.has_more).toBe(true);
    const stranger: Tenant = { organizationId: 'org_somebody_else', mode: 'live' };
    await expect(
      askService(api, { path: `/alerts/${alert.id}`, answer: AlertAnswer, tenant: stranger }),
    ).rejects.toThrow(ServiceRefusedError);

    expect(await send(alert.id, 'DeleteAlert', { alert_id: alert.id })).toEqual({ id: alert.id, deleted: true });
    await expect(askService(api, { path: `/alerts/${alert.id}`, answer: AlertAnswer, tenant })).rejects.toThrow(
      ServiceRefusedError,
    );
  });

  it('counts the same totals again from the topics after rebuildAlertTotals, and tells nothing twice', {
    timeout: 120_000,
  }, async () => {
    const totals = async () =>
      (
        await service.pool.query(
          `SELECT organization_id, customer_id, meter_code, period_start, period_end, quantity::text FROM alert_usage
            ORDER BY organization_id, customer_id, meter_code, period_start NULLS FIRST`,
        )
      ).rows;
    const told = async () =>
      (await service.pool.query("SELECT count(*)::int AS n FROM events WHERE type = 'AlertThresholdReached'")).rows[0]
        .n;
    const before = { totals: await totals(), told: await told() };
    expect(before.totals.length).toBeGreaterThan(0);
    await service.stop();
    await withRebuildConnections(env, async (connections) => {
      await rebuildAlertTotals(connections);
      expect((await connections.pool.query('SELECT count(*)::int AS n FROM alert_usage')).rows[0].n).toBe(0);
    });
    service = await startNotificationService(env);
    await eventually(async () => expect(await totals()).toEqual(before.totals), {
      timeout: 60_000,
      label: 'the totals counted again',
    });
    expect(await told()).toBe(before.told);
  });
});
