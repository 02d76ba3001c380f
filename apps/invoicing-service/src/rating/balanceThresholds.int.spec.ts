import { randomUUID } from 'node:crypto';
import { ratingEventWireNames } from '@afternoon/contracts/credits';
import type { MeteredEvent, MeteredUsageRecord } from '@afternoon/contracts/meteredUsage';
import { meterEventWireNames } from '@afternoon/contracts/meters';
import { Topics } from '@afternoon/contracts/topics';
import { connectKafka, createLogger, createPool, newResourceId, type Tenant } from '@afternoon/service-kit';
import {
  collectTopic,
  commandRecord,
  customerCreatedRecord,
  dropSchemas,
  dropTopics,
  eventually,
  produce,
  serviceEnv,
  uniqueName,
} from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningInvoicingService, startInvoicingService } from '../app';
import { rebuildInvoicing } from '../rebuildInvoicing';

const meterCode = 'thresholds_tokens';
const periodStart = '2026-01-01T00:00:00.000Z';
const usd = { type: 'currency', code: 'usd' } as const;

describe('rating announces a balance falling below its low-balance threshold and reaching zero, once', () => {
  const schema = uniqueName('invoicing_thresholds');
  const topicPrefix = `${uniqueName('thresholds')}.`;
  const tenant: Tenant = { organizationId: uniqueName('org_thresholds'), mode: 'test' };
  const env = { ...serviceEnv(schema, topicPrefix), BILLING_RUN_ENABLED: false };
  const topic = (name: string) => `${topicPrefix}${name}`;
  let service: RunningInvoicingService;
  let running = false;
  let replies: Awaited<ReturnType<typeof collectTopic>>;
  let invoiceEvents: Awaited<ReturnType<typeof collectTopic>>;

  beforeAll(async () => {
    service = await startInvoicingService(env);
    running = true;
    replies = await collectTopic(topic(Topics.gatewayReplies.name));
    invoiceEvents = await collectTopic(topic(Topics.invoiceEvents.name));
    await produce(topic(Topics.meterEvents.name), [meterCreatedRecord(tenant)]);
  });
  afterAll(async () => {
    await Promise.all([replies, invoiceEvents].map((collected) => collected?.stop()));
    if (running) await service.stop();
    await dropSchemas(schema);
    await dropTopics(topicPrefix);
  });

  async function send(key: string, type: string, data: unknown) {
    const record = commandRecord(tenant, key, type, data);
    const commandId = JSON.parse(record.value).metadata.command_id;
    await produce(topic(Topics.invoiceCommands.name), [record]);
    const reply = await eventually(
      () => {
        const found = replies.messages
          .map((message) => JSON.parse(message.value ?? 'null'))
          .find((candidate) => candidate?.command_id === commandId);
        expect(found).toBeDefined();
        return found;
      },
      { timeout: 60_000, label: `reply to ${type}` },
    );
    expect(reply, type).toMatchObject({ ok: true });
  }

  const rows = async (sql: string, values: unknown[] = []) => (await service.pool.query(sql, values)).rows;
  const publish = (record: MeteredUsageRecord) =>
    produce(topic(Topics.usageMetered.name), [{ key: record.customer_id, value: JSON.stringify(record) }]);
  const rated = (customerId: string, count: number) =>
    eventually(
      async () =>
        expect(await rows('SELECT usage_id FROM rated_usage WHERE customer_id = $1', [customerId])).toHaveLength(count),
      { timeout: 60_000, label: `${count} events rated` },
    );
  /** The balance events of the customer's rating stream on invoice.events, as sent. */
  const announced = (customerId: string) =>
    invoiceEvents.messages
      .filter((message) => message.key === `usage_rating-${customerId}`)
      .map((message) => JSON.parse(message.value ?? '{}'))
      .filter((event) => [ratingEventWireNames.BalanceLow, ratingEventWireNames.BalanceDepleted].includes(event.type))
      .map((event) => ({ type: event.type, data: event.data }));

  it('reads one BalanceLow and one BalanceDepleted; a redelivered record and a rebuild announce nothing again', {
    timeout: 180_000,
  }, async () => {
    await send(`${tenant.organizationId}-${tenant.mode}`, 'ConfigureBilling', {
      low_balance_thresholds: [{ denomination: usd, amount: '950' }],
    });
    // A customer on 1 cent a token from 1 January 2026, with a grant of 1,000 cents.
    const [customerId, subscriptionId, grantId] = [newResourceId(), newResourceId(), newResourceId()];
    await produce(topic(Topics.customerEvents.name), [customerCreatedRecord(tenant, customerId)]);
    const price = {
      id: newResourceId(),
      description: 'Tokens',
      meter_code: meterCode,
      model: 'per_unit',
      unit_amount: '1',
    };
    const plan = { code: 'cent_a_token', name: 'Cent', currency: 'usd', interval: 'month', prices: [price] };
    await send('cent_a_token', 'CreatePlan', {
      plan_id: newResourceId(),
      definition: { ...plan, minimum_amount_cents: null },
    });
    await send(subscriptionId, 'CreateSubscription', {
      subscription_id: subscriptionId,
      customer_id: customerId,
      plan_code: 'cent_a_token',
      start_date: periodStart,
      initial_status: 'active',
    });
    await send(grantId, 'CreateCreditGrant', {
      grant_id: grantId,
      subscription_id: subscriptionId,
      name: 'Welcome credits',
      amount: '1000',
      denomination: usd,
      effective_at: periodStart,
      expires_at: null,
      priority: 0,
      metadata: {},
    });

    // Record 1: 1000 − 50 = 950 (at the threshold, not below), then 950 − 100 = 850 (below: low, on 2 January).
    // Record 2: 850 − 850 = 0 (depleted, on 3 January). Record 3: 0 − 10 owed, nothing drawn: nothing to announce.
    const records = [
      metered(customerId, [tokens(1, 50), tokens(2, 100)]),
      metered(customerId, [tokens(3, 850)]),
      metered(customerId, [tokens(4, 10)]),
    ];
    for (const record of records) await publish(record);
    await rated(customerId, 4);
    const expected = [
      {
        type: ratingEventWireNames.BalanceLow,
        data: { customer_id: customerId, denomination: usd, available: '850', threshold: '950', at: day(2) },
      },
      { type: ratingEventWireNames.BalanceDepleted, data: { customer_id: customerId, denomination: usd, at: day(3) } },
    ];
    await eventually(() => expect(announced(customerId)).toEqual(expected), {
      timeout: 30_000,
      label: 'low and depleted announced',
    });
    const stream = async () =>
      rows('SELECT type, version FROM events WHERE stream_id = $1 ORDER BY version', [`usage_rating-${customerId}`]);
    // On the rating stream, each after the UsageRated of the record that crossed it.
    expect((await stream()).map((event) => event.type)).toEqual([
      'UsageRated',
      'BalanceLow',
      'UsageRated',
      'BalanceDepleted',
      'UsageRated',
    ]);

    // Redelivered (as metering's rebuild would republish them): rated already, nothing announced again.
    for (const record of records.slice(0, 2)) await publish(record);
    await eventually(async () => expect(await lagOfRating()).toBe(0), { timeout: 30_000, label: 'caught up' });
    const storedBefore = await stream();
    expect(storedBefore).toHaveLength(5);
    expect(announced(customerId)).toEqual(expected);

    // A rebuild replays the stored events into the ledger and announces nothing; the stream is as it was.
    await service.stop();
    running = false;
    const kafka = connectKafka({
      clientId: 'thresholds-rebuild',
      brokers: env.KAFKA_BROKERS,
      topicPrefix,
      logger: createLogger('thresholds-rebuild', 'warn'),
    });
    const pool = createPool({ url: env.DATABASE_URL, schema, applicationName: 'thresholds-rebuild' });
    try {
      await rebuildInvoicing({ pool, kafka, topicPrefix });
    } finally {
      await kafka.close();
      await pool.end();
    }
    service = await startInvoicingService(env);
    running = true;
    await eventually(async () => expect(await lagOfRating()).toBe(0), { timeout: 30_000, label: 'caught up again' });
    expect(await stream()).toEqual(storedBefore);
    expect(await rows('SELECT consumed::text FROM credit_grants WHERE id = $1', [grantId])).toEqual([
      { consumed: '1000' },
    ]);
    expect(announced(customerId)).toEqual(expected);
  });

  const metered = (customerId: string, events: MeteredEvent[]): MeteredUsageRecord => ({
    organization_id: tenant.organizationId,
    mode: tenant.mode,
    customer_id: customerId,
    events,
  });

  async function lagOfRating(): Promise<number> {
    const [{ handled }] = await rows(
      'SELECT coalesce(sum(next_offset), 0)::int AS handled FROM consumer_offsets WHERE topic = $1',
      [topic(Topics.usageMetered.name)],
    );
    const kafka = connectKafka({
      clientId: 'thresholds-lag',
      brokers: env.KAFKA_BROKERS,
      topicPrefix,
      logger: createLogger('thresholds-lag', 'warn'),
    });
    try {
      const offsets = await (await kafka.admin()).fetchTopicOffsets(kafka.topic(Topics.usageMetered));
      return offsets.reduce((sum, { high }) => sum + Number(high), 0) - handled;
    } finally {
      await kafka.close();
    }
  }
});

const day = (n: number) => `2026-01-0${n}T00:00:00.000Z`;

/** What metering tells of an event of `n` tokens on January `n`, 2026. */
function tokens(dayOfMonth: number, n: number): MeteredEvent {
  const usageId = newResourceId();
  return {
    usage_id: usageId,
    idempotency_key: `tokens-${usageId}`,
    event_name: 'tokens',
    timestamp: day(dayOfMonth),
    received_at: day(dayOfMonth),
    meters: [{ meter_code: meterCode, aggregation: 'sum', quantity: String(n), group: null }],
  };
}

/** metering's MeterCreated for the `sum` of `n` over `tokens` events, as it appears on meter.events. */
function meterCreatedRecord(tenant: Tenant) {
  const meterId = newResourceId();
  const definition = { code: meterCode, name: 'Tokens', event_name: 'tokens', aggregation: 'sum', property: 'n' };
  const metadata = { organization_id: tenant.organizationId, mode: tenant.mode, correlation_id: 'test' };
  return {
    key: meterId,
    value: JSON.stringify({
      event_id: randomUUID(),
      type: meterEventWireNames.MeterCreated,
      stream_id: meterId,
      version: 1,
      data: { meter_id: meterId, definition: { ...definition, filters: {}, group_by: [] }, created_at: periodStart },
      metadata: { ...metadata, causation_id: 'test', occurred_at: periodStart },
    }),
  };
}
