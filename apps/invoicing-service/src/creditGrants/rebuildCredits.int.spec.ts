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

/** The tables the pricing units and credit grants slices derive from the event store. */
const creditTables = ['pricing_units', 'credit_grants'];

describe('rebuilding invoicing reproduces pricing units and credit grants', () => {
  const schema = uniqueName('credits_rebuild');
  const topicPrefix = `${uniqueName('credits_rebuild')}.`;
  const live: Tenant = { organizationId: uniqueName('org_credits'), mode: 'live' };
  const env = {
    ...serviceEnv(schema, topicPrefix),
    // The expiry loop runs with the billing run; the only subscription starts in 2030, so nothing is billed.
    BILLING_RUN_ENABLED: true,
    BILLING_RUN_INTERVAL_MS: 200,
    METERING_SERVICE_URL: 'http://127.0.0.1:9',
  };
  const topic = (name: string) => `${topicPrefix}${name}`;
  let service: RunningInvoicingService;
  let running = false;
  let replies: Awaited<ReturnType<typeof collectTopic>>;

  beforeAll(async () => {
    service = await startInvoicingService(env);
    running = true;
    replies = await collectTopic(topic(Topics.gatewayReplies.name));
  });
  afterAll(async () => {
    await replies.stop();
    if (running) await service.stop();
    await dropSchemas(schema);
    await dropTopics(topicPrefix);
  });

  /** Sends a command as the gateway does and waits for its reply, which must be a success. */
  async function send(key: string, type: string, data: unknown) {
    const record = commandRecord(live, key, type, data);
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
    return reply.result;
  }

  const grant = (subscriptionId: string, changes: Record<string, unknown>) => {
    const grantId = newResourceId();
    const data = {
      grant_id: grantId,
      subscription_id: subscriptionId,
      name: 'Credits',
      amount: '5000',
      denomination: { type: 'currency', code: 'usd' },
      expires_at: null,
      priority: 0,
      metadata: {},
      ...changes,
    };
    return send(grantId, 'CreateCreditGrant', data).then(() => grantId);
  };

  async function creditRows(pool = service.pool) {
    const tables: Record<string, unknown[]> = {};
    for (const table of creditTables) tables[table] = (await pool.query(`SELECT * FROM ${table} ORDER BY id`)).rows;
    return tables;
  }

  it('derives the same pricing units and grants (created, voided, expired) again', { timeout: 180_000 }, async () => {
    const customerId = newResourceId();
    await produce(topic(Topics.customerEvents.name), [customerCreatedRecord(live, customerId, { name: 'Ada' })]);
    const definition = {
      code: 'credits_plan',
      name: 'Credits plan',
      currency: 'usd',
      interval: 'month',
      prices: [{ id: newResourceId(), model: 'flat', amount_cents: 1000, timing: 'in_arrears', description: 'Fee' }],
      minimum_amount_cents: null,
    };
    await send('credits_plan', 'CreatePlan', { plan_id: newResourceId(), definition });
    const subscriptionId = newResourceId();
    await send(subscriptionId, 'CreateSubscription', {
      subscription_id: subscriptionId,
      customer_id: customerId,
      plan_code: 'credits_plan',
      start_date: '2030-01-01T00:00:00.000Z',
      initial_status: 'pending',
    });
    for (const [code, conversion] of [
      ['gpu_sec', { currency: 'usd', unit_amount: '0.25' }],
      ['token', null],
    ] as const)
      await send(code, 'CreatePricingUnit', {
        pricing_unit_id: newResourceId(),
        code,
        name: code,
        currency_conversion: conversion,
      });

    await grant(subscriptionId, { expires_at: '2031-01-01T00:00:00.000Z', metadata: { source: 'promo' } });
    await grant(subscriptionId, { amount: '12.5', denomination: { type: 'pricing_unit', code: 'gpu_sec' } });
    const voidedId = await grant(subscriptionId, { priority: 3 });
    await send(voidedId, 'VoidCreditGrant', { grant_id: voidedId, subscription_id: subscriptionId });
    const expiringId = await grant(subscriptionId, {
      amount: '0.75',
      denomination: { type: 'pricing_unit', code: 'token' },
      effective_at: '2026-01-01T00:00:00.000Z',
      expires_at: '2026-02-01T00:00:00.000Z',
    });
    await eventually(
      async () => {
        const { rows } = await service.pool.query('SELECT status, expired FROM credit_grants WHERE id = $1', [
          expiringId,
        ]);
        expect(rows).toEqual([{ status: 'expired', expired: '0.75' }]);
      },
      { timeout: 30_000, label: 'the backdated grant expired by the loop' },
    );
    const before = await creditRows();
    expect(before.pricing_units).toHaveLength(2);
    expect(before.credit_grants).toHaveLength(4);
    expect((before.credit_grants as { status: string }[]).map((row) => row.status).sort()).toEqual([
      'active',
      'active',
      'expired',
      'voided',
    ]);

    await service.stop();
    running = false;
    const connection = connectKafka({
      clientId: 'credits-rebuild-test',
      brokers: env.KAFKA_BROKERS,
      topicPrefix,
      logger: createLogger('credits-rebuild-test', 'warn'),
    });
    const pool = createPool({ url: env.DATABASE_URL, schema, applicationName: 'credits-rebuild-test' });
    try {
      // What a rebuild must not trust: a row lost, one changed.
      await pool.query('DELETE FROM credit_grants WHERE id = $1', [voidedId]);
      await pool.query(`UPDATE pricing_units SET name = 'tampered'`);
      await pool.query(`UPDATE credit_grants SET status = 'active', expired = 0 WHERE id = $1`, [expiringId]);
      expect(await creditRows(pool)).not.toEqual(before);
      await rebuildInvoicing({ pool, kafka: connection, topicPrefix });
      expect(await creditRows(pool)).toEqual(before);
    } finally {
      await connection.close();
      await pool.end();
    }
  });
});
