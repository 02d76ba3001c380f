import { randomUUID } from 'node:crypto';
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
import { afterAll, beforeAll, expect } from 'vitest';
import { type RunningInvoicingService, startInvoicingService } from '../src/app';
import { rebuildInvoicing } from '../src/rebuildInvoicing';

/*
 * What metering tells invoicing's rating, and an invoicing service of a rating spec's own to tell it to: usage from
 * 1 January 2026 on a `sum` meter of `n` over `tokens` events.
 */

export const periodStart = '2026-01-01T00:00:00.000Z';

/** Midnight UTC of January `n`, 2026 (n ≤ 9). */
export const day = (n: number) => `2026-01-0${n}T00:00:00.000Z`;

/** What metering tells of an event of `n` tokens on January `dayOfMonth`, 2026. */
export function tokensEvent(meterCode: string, dayOfMonth: number, n: number): MeteredEvent {
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
export function meterCreatedRecord(tenant: Tenant, meterCode: string) {
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

/** A credit grant's amount and what it is in. */
export type Grant = { amount: string; denomination: { type: 'currency' | 'pricing_unit'; code: string } };

interface RatingSpecOptions {
  /** Names the schema, topic prefix, organization and Kafka clients. */
  name: string;
  mode: Tenant['mode'];
  /** The code of the tokens meter. */
  meterCode: string;
}

type Collected = Awaited<ReturnType<typeof collectTopic>>;

/**
 * A rating spec's invoicing service, with a schema, topic prefix and organization named after `name` and no billing
 * run: started before the spec's tests with the tokens meter on meter.events, stopped after them. It collects
 * gateway.replies, invoice.events and the dead letters; the rest drives it as the gateway and metering would.
 */
export function ratingSpec(options: RatingSpecOptions) {
  const spec = invoicingOfSpec(options);
  return { ...spec, ...commandsOf(spec, options.meterCode), ...usageOf(spec, options.meterCode) };
}

type InvoicingOfSpec = ReturnType<typeof invoicingOfSpec>;

function invoicingOfSpec({ name, mode, meterCode }: RatingSpecOptions) {
  const schema = uniqueName(`invoicing_${name}`);
  const topicPrefix = `${uniqueName(name)}.`;
  const tenant: Tenant = { organizationId: uniqueName(`org_${name}`), mode };
  const env = { ...serviceEnv(schema, topicPrefix), BILLING_RUN_ENABLED: false };
  const topic = (topicName: string) => `${topicPrefix}${topicName}`;
  let service: RunningInvoicingService;
  // Stopping twice is not safe, so afterAll stops only a service the spec left running.
  let running = false;
  let replies: Collected;
  let invoiceEvents: Collected;
  let usageRated: Collected;
  let deadLetters: Collected;

  const start = async () => {
    service = await startInvoicingService(env);
    running = true;
  };
  const stop = async () => {
    await service.stop();
    running = false;
  };
  beforeAll(async () => {
    await start();
    replies = await collectTopic(topic(Topics.gatewayReplies.name));
    invoiceEvents = await collectTopic(topic(Topics.invoiceEvents.name));
    usageRated = await collectTopic(topic(Topics.usageRated.name));
    deadLetters = await collectTopic(topic(Topics.consumerDeadLetter.name));
    await produce(topic(Topics.meterEvents.name), [meterCreatedRecord(tenant, meterCode)]);
  });
  afterAll(async () => {
    await Promise.all([replies, invoiceEvents, usageRated, deadLetters].map((collected) => collected?.stop()));
    if (running) await service.stop();
    await dropSchemas(schema);
    await dropTopics(topicPrefix);
  });

  /** Stops the service, rebuilds invoicing from its event store and customer.events, and starts it again. */
  async function rebuild() {
    await stop();
    const kafka = kafkaAs(`${name}-rebuild`);
    const pool = createPool({ url: env.DATABASE_URL, schema, applicationName: `${name}-rebuild` });
    try {
      await rebuildInvoicing({ pool, kafka, topicPrefix });
    } finally {
      await kafka.close();
      await pool.end();
    }
    await start();
  }
  const kafkaAs = (clientId: string) =>
    connectKafka({ clientId, brokers: env.KAFKA_BROKERS, topicPrefix, logger: createLogger(clientId, 'warn') });

  return {
    name,
    tenant,
    topic,
    /** The running service (another one after a restart or a rebuild). */
    service: () => service,
    replies: () => replies,
    /** What invoice.events and the dead-letter topic carried since the spec started. */
    invoiceEvents: () => invoiceEvents.messages,
    usageRated: () => usageRated.messages,
    deadLetters: () => deadLetters.messages,
    start,
    stop,
    rebuild,
    kafkaAs,
    rows: async (sql: string, values: unknown[] = []) => (await service.pool.query(sql, values)).rows,
  };
}

/** Commands sent as the gateway sends them, each waited for until its reply, which must be a success. */
function commandsOf({ tenant, topic, replies }: InvoicingOfSpec, meterCode: string) {
  async function send(key: string, type: string, data: unknown) {
    const record = commandRecord(tenant, key, type, data);
    const commandId = JSON.parse(record.value).metadata.command_id;
    await produce(topic(Topics.invoiceCommands.name), [record]);
    const reply = await eventually(
      () => {
        const found = replies()
          .messages.map((message) => JSON.parse(message.value ?? 'null'))
          .find((candidate) => candidate?.command_id === commandId);
        expect(found).toBeDefined();
        return found;
      },
      { timeout: 60_000, label: `reply to ${type}` },
    );
    expect(reply, type).toMatchObject({ ok: true });
  }

  /** A customer subscribed from 1 January 2026 (monthly) to a plan of one usage price, with one grant. */
  async function subscriber(code: string, pricing: Record<string, unknown>, grant: Grant) {
    const [customerId, subscriptionId, grantId] = [newResourceId(), newResourceId(), newResourceId()];
    await produce(topic(Topics.customerEvents.name), [customerCreatedRecord(tenant, customerId)]);
    const price = { id: newResourceId(), description: 'Tokens', meter_code: meterCode, ...pricing };
    const plan = { code, name: code, currency: 'usd', interval: 'month', prices: [price], minimum_amount_cents: null };
    await send(code, 'CreatePlan', { plan_id: newResourceId(), definition: plan });
    await send(subscriptionId, 'CreateSubscription', {
      subscription_id: subscriptionId,
      customer_id: customerId,
      plan_code: code,
      start_date: periodStart,
      initial_status: 'active',
    });
    await send(grantId, 'CreateCreditGrant', {
      grant_id: grantId,
      subscription_id: subscriptionId,
      name: 'Welcome credits',
      ...grant,
      effective_at: periodStart,
      expires_at: null,
      priority: 0,
      metadata: {},
    });
    return { customerId, grantId };
  }

  return { send, subscriber };
}

/** usage.metered records published as metering publishes them, and what rating made of them. */
function usageOf({ name, tenant, topic, rows, kafkaAs }: InvoicingOfSpec, meterCode: string) {
  /** The usage.metered records not yet handled by rating. */
  async function lagOfRating(): Promise<number> {
    const [{ handled }] = await rows(
      'SELECT coalesce(sum(next_offset), 0)::int AS handled FROM consumer_offsets WHERE topic = $1',
      [topic(Topics.usageMetered.name)],
    );
    const kafka = kafkaAs(`${name}-lag`);
    try {
      const offsets = await (await kafka.admin()).fetchTopicOffsets(kafka.topic(Topics.usageMetered));
      return offsets.reduce((sum, { high }) => sum + Number(high), 0) - handled;
    } finally {
      await kafka.close();
    }
  }

  return {
    /** An event of `n` tokens on January `dayOfMonth`, 2026, on this spec's meter. */
    tokens: (dayOfMonth: number, n: number) => tokensEvent(meterCode, dayOfMonth, n),
    metered: (customerId: string, events: MeteredEvent[]): MeteredUsageRecord => ({
      organization_id: tenant.organizationId,
      mode: tenant.mode,
      customer_id: customerId,
      events,
    }),
    /** Publishes the records in one produce request: appended together, they reach rating in one fetched batch. */
    publish: (...records: MeteredUsageRecord[]) =>
      produce(
        topic(Topics.usageMetered.name),
        records.map((record) => ({ key: record.customer_id, value: JSON.stringify(record) })),
      ),
    /** Waits until `count` of the customer's events are rated. */
    rated: (customerId: string, count: number) =>
      eventually(
        async () =>
          expect(await rows('SELECT usage_id FROM rated_usage WHERE customer_id = $1', [customerId])).toHaveLength(
            count,
          ),
        { timeout: 60_000, label: `${count} events rated` },
      ),
    lagOfRating,
  };
}
