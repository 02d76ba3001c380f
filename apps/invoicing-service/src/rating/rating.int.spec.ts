import { randomUUID } from 'node:crypto';
import { ratingEventWireNames } from '@afternoon/contracts/credits';
import type { MeteredEvent, MeteredUsageRecord } from '@afternoon/contracts/meteredUsage';
import { meterEventWireNames } from '@afternoon/contracts/meters';
import { Topics } from '@afternoon/contracts/topics';
import {
  connectKafka,
  createLogger,
  createPool,
  internalApiHeaders,
  newResourceId,
  type Tenant,
  TenantHeaders,
} from '@afternoon/service-kit';
import {
  collectTopic,
  commandRecord,
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
import { type RunningInvoicingService, startInvoicingService } from '../app';
import { rebuildInvoicing } from '../rebuildInvoicing';

const meterCode = 'rated_tokens';
const planCode = 'rated_plan';
const periodStart = '2026-01-01T00:00:00.000Z';
// Graduated, in cents per token: the first 100 tokens at 2, every token after at 0.5.
const tiers = [
  { up_to: 100, unit_amount: '2' },
  { up_to: null, unit_amount: '0.5' },
];

describe('rating usage.metered: marginal costs, credits drawn, owed, and the ledger', () => {
  const schema = uniqueName('invoicing_rating');
  const topicPrefix = `${uniqueName('rating')}.`;
  const tenant: Tenant = { organizationId: uniqueName('org_rating'), mode: 'live' };
  const env = { ...serviceEnv(schema, topicPrefix), BILLING_RUN_ENABLED: false };
  const topic = (name: string) => `${topicPrefix}${name}`;
  const [customerId, subscriptionId, grantId, priceId] = [
    newResourceId(),
    newResourceId(),
    newResourceId(),
    newResourceId(),
  ];
  let service: RunningInvoicingService;
  let running = false;
  let replies: Awaited<ReturnType<typeof collectTopic>>;
  let invoiceEvents: Awaited<ReturnType<typeof collectTopic>>;
  let deadLetters: Awaited<ReturnType<typeof collectTopic>>;

  beforeAll(async () => {
    service = await startInvoicingService(env);
    running = true;
    replies = await collectTopic(topic(Topics.gatewayReplies.name));
    invoiceEvents = await collectTopic(topic(Topics.invoiceEvents.name));
    deadLetters = await collectTopic(topic(Topics.consumerDeadLetter.name));
  });
  afterAll(async () => {
    await Promise.all([replies, invoiceEvents, deadLetters].map((collected) => collected?.stop()));
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

  /** A customer with a monthly subscription from 1 January 2026 to a graduated usage price, and a $3 grant. */
  async function subscribedCustomerWithCredits() {
    const definition = { code: meterCode, name: 'Tokens', event_name: 'tokens', aggregation: 'sum', property: 'n' };
    const meterId = newResourceId();
    await produce(topic(Topics.meterEvents.name), [
      {
        key: meterId,
        value: JSON.stringify({
          event_id: randomUUID(),
          type: meterEventWireNames.MeterCreated,
          stream_id: meterId,
          version: 1,
          data: {
            meter_id: meterId,
            definition: { ...definition, filters: {}, group_by: [] },
            created_at: periodStart,
          },
          metadata: { ...metadataOf(tenant), occurred_at: periodStart },
        }),
      },
    ]);
    await produce(topic(Topics.customerEvents.name), [customerCreatedRecord(tenant, customerId)]);
    const price = { id: priceId, model: 'graduated', description: 'Tokens', meter_code: meterCode, tiers };
    const plan = { code: planCode, name: 'Rated', currency: 'usd', interval: 'month', prices: [price] };
    await send(planCode, 'CreatePlan', {
      plan_id: newResourceId(),
      definition: { ...plan, minimum_amount_cents: null },
    });
    await send(subscriptionId, 'CreateSubscription', {
      subscription_id: subscriptionId,
      customer_id: customerId,
      plan_code: planCode,
      start_date: periodStart,
      initial_status: 'active',
    });
    await send(grantId, 'CreateCreditGrant', {
      grant_id: grantId,
      subscription_id: subscriptionId,
      name: 'Welcome credits',
      amount: '300',
      denomination: { type: 'currency', code: 'usd' },
      effective_at: periodStart,
      expires_at: null,
      priority: 0,
      metadata: {},
    });
  }

  const rows = async (sql: string, values: unknown[] = []) => (await service.pool.query(sql, values)).rows;
  const ledger = async () => ({
    rated: await rows('SELECT usage_id, customer_id, "timestamp", cost FROM rated_usage ORDER BY usage_id'),
    totals: await rows(
      'SELECT subscription_id, price_id, period_start, group_key, quantity::text, owed::text FROM rating_totals',
    ),
    debits: await rows(
      `SELECT usage_id, grant_id, subscription_id, price_id, period_start, group_key, amount::text, effective_at
         FROM credit_debits ORDER BY usage_id, grant_id`,
    ),
    consumed: await rows('SELECT id, consumed::text FROM credit_grants ORDER BY id'),
  });
  const costOf = async (usageId: string) => (await ask(`/rated-usage/${usageId}`)).body;
  async function ask(path: string) {
    const response = await fetch(`http://127.0.0.1:${service.port}${path}`, {
      headers: {
        ...internalApiHeaders(testInternalApiToken),
        [TenantHeaders.organizationId]: tenant.organizationId,
        [TenantHeaders.mode]: tenant.mode,
      },
    });
    // biome-ignore lint/suspicious/noExplicitAny: the answers are read field by field below
    return { status: response.status, body: (await response.json()) as any };
  }
  const metered = (events: MeteredEvent[]): MeteredUsageRecord => ({
    organization_id: tenant.organizationId,
    mode: tenant.mode,
    customer_id: customerId,
    events,
  });
  const publish = (record: MeteredUsageRecord) =>
    produce(topic(Topics.usageMetered.name), [{ key: customerId, value: JSON.stringify(record) }]);

  it('rates each event at its marginal cost across a tier boundary, draws the grant, then owes', {
    timeout: 180_000,
  }, async () => {
    await subscribedCustomerWithCredits();
    const [first, second, third, fourth] = [1, 2, 3, 4].map((day) => tokensEvent(day, newResourceId())) as [
      TokensEvent,
      TokensEvent,
      TokensEvent,
      TokensEvent,
    ];
    const firstRecord = metered([first(60), second(50), third(1.5)]);
    await publish(firstRecord);
    await produce(topic(Topics.usageMetered.name), [{ key: customerId, value: 'not a metered record' }]);
    await publish(metered([fourth(400)]));
    const usageIds = [first, second, third, fourth].map((event) => event.usageId);
    await eventually(async () => expect((await rows('SELECT 1 FROM rated_usage')).length).toBe(4), {
      timeout: 60_000,
      label: 'four events rated',
    });

    // Period totals 60, 110, 111.5, 511.5 tokens; charges 60×2 = 120; 100×2 + 10×0.5 = 205; 200 + 11.5×0.5 =
    // 205.75 → 206; 200 + 411.5×0.5 = 405.75 → 406. Costs: 120, 205 − 120 = 85, 206 − 205 = 1, 406 − 206 = 200.
    const costs = await Promise.all(usageIds.map(async (id) => (await costOf(id)).cost));
    const usd = (amount: number) => [{ denomination: { type: 'currency', code: 'usd' }, amount }];
    expect(costs).toEqual([usd(120), usd(85), usd(1), usd(200)]);
    // The grant of 300 covers 120 + 85 + 1 = 206 and 94 of the last 200: 106 owed.
    const before = await ledger();
    expect(before.debits.map((debit) => [debit.usage_id, debit.amount])).toEqual(
      [...usageIds.map((id, index) => [id, ['120', '85', '1', '94'][index]])].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    );
    expect(before.consumed).toEqual([{ id: grantId, consumed: '300' }]);
    expect(before.totals).toMatchObject([{ quantity: '511.5', owed: '106' }]);

    const balances = await ask(`/customers/${customerId}/balances?as_of=2026-01-02T12:00:00Z`);
    // By 2 January noon only the first two events count: 120 + 85 = 205 consumed, 95 left.
    expect(balances.body.balances).toMatchObject([{ granted: 300, consumed: 205, available: 95, expired: 0 }]);
    expect((await ask(`/customers/${customerId}/balances`)).body.balances).toMatchObject([{ available: 0 }]);

    // Republished as metering's rebuild would: nothing changes.
    await publish(firstRecord);
    await eventually(() => expect(deadLetters.messages).toHaveLength(1), { label: 'the bad record dead-lettered' });
    await eventually(async () => expect(await lagOfRating()).toBe(0), { timeout: 30_000, label: 'caught up' });
    expect(await ledger()).toEqual(before);
    const published = invoiceEvents.messages.filter(
      (message) => JSON.parse(message.value ?? '{}').type === ratingEventWireNames.UsageRated,
    );
    expect(published.map((message) => message.key)).toEqual([
      `usage_rating-${customerId}`,
      `usage_rating-${customerId}`,
    ]);

    await service.stop();
    running = false;
    const kafka = connectKafka({
      clientId: 'rating-rebuild',
      brokers: env.KAFKA_BROKERS,
      topicPrefix,
      logger: createLogger('rating-rebuild', 'warn'),
    });
    const pool = createPool({ url: env.DATABASE_URL, schema, applicationName: 'rating-rebuild' });
    try {
      await rebuildInvoicing({ pool, kafka, topicPrefix });
    } finally {
      await kafka.close();
      await pool.end();
    }
    service = await startInvoicingService(env);
    running = true;
    expect(await ledger()).toEqual(before);
  });

  async function lagOfRating(): Promise<number> {
    const [{ handled }] = await rows(
      'SELECT coalesce(sum(next_offset), 0)::int AS handled FROM consumer_offsets WHERE topic = $1',
      [topic(Topics.usageMetered.name)],
    );
    const kafka = connectKafka({
      clientId: 'rating-lag',
      brokers: env.KAFKA_BROKERS,
      topicPrefix,
      logger: createLogger('rating-lag', 'warn'),
    });
    try {
      const offsets = await (await kafka.admin()).fetchTopicOffsets(kafka.topic(Topics.usageMetered));
      return offsets.reduce((sum, { high }) => sum + Number(high), 0) - handled;
    } finally {
      await kafka.close();
    }
  }
});

type TokensEvent = ((n: number) => MeteredEvent) & { usageId: string };

/** An event of `n` tokens on January `day`, 2026, with its usage id. */
function tokensEvent(day: number, usageId: string): TokensEvent {
  const timestamp = `2026-01-0${day}T00:00:00.000Z`;
  const event = (n: number): MeteredEvent => ({
    usage_id: usageId,
    idempotency_key: `tokens-${day}`,
    event_name: 'tokens',
    timestamp,
    received_at: timestamp,
    meters: [{ meter_code: meterCode, aggregation: 'sum', quantity: String(n), group: null }],
  });
  return Object.assign(event, { usageId });
}

function metadataOf(tenant: Tenant) {
  return { organization_id: tenant.organizationId, mode: tenant.mode, correlation_id: 'test', causation_id: 'test' };
}
