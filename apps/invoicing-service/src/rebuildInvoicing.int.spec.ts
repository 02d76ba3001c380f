import { Topics } from '@afternoon/contracts/topics';
import {
  connectKafka,
  createLogger,
  createPool,
  newResourceId,
  type Projection,
  readAllEvents,
  startOfEventStore,
  type Tenant,
  type Transaction,
} from '@afternoon/service-kit';
import {
  collectTopic,
  commandRecord,
  customerCreatedRecord,
  customerDeletedRecord,
  dropSchemas,
  dropTopics,
  eventually,
  produce,
  serviceEnv,
  uniqueName,
} from '@afternoon/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthlySubscribers } from '../test/monthlySubscribers';
import { invoicingProjections, type RunningInvoicingService, startInvoicingService } from './app';
import { rebuildInvoicing } from './rebuildInvoicing';

/** Every table invoicing derives, from its event store or from `customer.events`. */
const derivedTables = [
  'invoices',
  'plans',
  'plan_versions',
  'subscriptions',
  'test_clocks',
  'test_clock_advances',
  'billing_settings',
  'payment_settings',
  'customer_payment_links',
  'invoice_number_sequences',
  'invoice_customers',
  'pricing_units',
  'credit_grants',
  'rated_usage',
  'rating_totals',
  'credit_debits',
];
const planCode = 'rebuild_monthly';
const terms = { collection_method: 'send_invoice', days_until_due: 14, due_date: null, memo: null, metadata: {} };
const flat = (amount_cents: number, timing: string, description: string) => ({
  id: newResourceId(),
  model: 'flat',
  amount_cents,
  timing,
  description,
});
const number = (value: number) => `INV-${String(value).padStart(4, '0')}`;

describe('rebuilding invoicing from its event store and customer.events', () => {
  const schema = uniqueName('invoicing_rebuild');
  const topicPrefix = `${uniqueName('rebuild')}.`;
  const live: Tenant = { organizationId: uniqueName('org_rebuild'), mode: 'live' };
  const test: Tenant = { ...live, mode: 'test' };
  const env = {
    ...serviceEnv(schema, topicPrefix),
    BILLING_RUN_ENABLED: true,
    BILLING_RUN_INTERVAL_MS: 200,
    BILLING_GRACE_PERIOD_SECONDS: 1,
    // The plan prices no usage, so metering is never asked; nothing listens here.
    METERING_SERVICE_URL: 'http://127.0.0.1:9',
  };
  const topic = (name: string) => `${topicPrefix}${name}`;
  const commandsGroup = `${topicPrefix}invoicing-service.commands`;
  const kafka = () =>
    connectKafka({
      clientId: 'rebuild-test',
      brokers: env.KAFKA_BROKERS,
      topicPrefix,
      logger: createLogger('rebuild-test', 'warn'),
    });
  let service: RunningInvoicingService;
  // Stopping twice is not safe, so afterAll stops only a service the test left running.
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
  async function send(tenant: Tenant, key: string, type: string, data: unknown) {
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
    return reply.result;
  }

  const manualInvoice = async (tenant: Tenant, customerId: string) => {
    const invoiceId = newResourceId();
    const line = { id: newResourceId(), description: 'Seats', quantity: '3', unit_amount_cents: 1_250 };
    await send(tenant, invoiceId, 'CreateInvoice', {
      invoice_id: invoiceId,
      customer_id: customerId,
      terms,
      currency: 'usd',
      line_items: [line],
    });
    return invoiceId;
  };
  const finalize = async (tenant: Tenant, invoiceId: string): Promise<string> =>
    (
      await send(tenant, invoiceId, 'FinalizeInvoice', {
        invoice_id: invoiceId,
        public_invoice_url: `http://x/inv/${invoiceId}`,
      })
    ).invoice_number;

  /** A pricing unit and three grants on the subscription: one voided, one expired by the loop, one left active. */
  async function grantCredits(subscriptionId: string) {
    await send(live, 'gpu_sec', 'CreatePricingUnit', {
      pricing_unit_id: newResourceId(),
      code: 'gpu_sec',
      name: 'GPU second',
      currency_conversion: { currency: 'usd', unit_amount: '0.25' },
    });
    const grant = async (changes: Record<string, unknown>) => {
      const grantId = newResourceId();
      await send(live, grantId, 'CreateCreditGrant', {
        grant_id: grantId,
        subscription_id: subscriptionId,
        name: 'Credits',
        amount: '2500',
        denomination: { type: 'currency', code: 'usd' },
        expires_at: null,
        priority: 0,
        metadata: {},
        ...changes,
      });
      return grantId;
    };
    await grant({});
    const voided = await grant({ amount: '12.5', denomination: { type: 'pricing_unit', code: 'gpu_sec' } });
    await send(live, voided, 'VoidCreditGrant', { grant_id: voided, subscription_id: subscriptionId });
    const expiring = await grant({ effective_at: '2026-01-01T00:00:00.000Z', expires_at: '2026-02-01T00:00:00.000Z' });
    await eventually(
      async () =>
        expect((await rows('SELECT status FROM credit_grants WHERE id = $1', [expiring]))[0]?.status).toBe('expired'),
      { timeout: 60_000, label: 'the backdated grant expired' },
    );
  }

  const rows = async (sql: string, values: unknown[] = []) => (await service.pool.query(sql, values)).rows;
  const subscription = async (id: string) => (await rows('SELECT * FROM subscriptions WHERE id = $1', [id]))[0];
  const commandsEnd = async () => {
    const connection = kafka();
    try {
      const offsets = await (await connection.admin()).fetchTopicOffsets(connection.topic(Topics.invoiceCommands));
      return offsets.reduce((sum, { high }) => sum + Number(high), 0);
    } finally {
      await connection.close();
    }
  };
  const commandsHandled = async () =>
    (
      await rows(
        'SELECT coalesce(sum(next_offset), 0)::int AS n FROM consumer_offsets WHERE group_id = $1 AND topic = $2',
        [commandsGroup, topic(Topics.invoiceCommands.name)],
      )
    )[0].n;

  /** Runs a whole billing pass and waits until every command it (or anyone) sent was handled; returns the count. */
  async function billingSettled(): Promise<number> {
    await service.billingRun?.runOnce();
    return eventually(
      async () => {
        const end = await commandsEnd();
        expect(await commandsHandled()).toBe(end);
        return end;
      },
      { timeout: 60_000, label: 'every command handled' },
    );
  }

  /** Every derived table, ordered, and where each consumer stands (not when it got there). */
  async function everythingDerived() {
    const tables: Record<string, unknown[]> = {};
    for (const table of derivedTables) tables[table] = await rows(`SELECT * FROM ${table} ORDER BY ${table}::text`);
    const offsets = await rows(
      'SELECT group_id, topic, partition, next_offset FROM consumer_offsets ORDER BY group_id, topic, partition',
    );
    const handled = await rows('SELECT count(*)::int AS n FROM handled_commands');
    return { tables, offsets, handled };
  }

  it('derives every table again, bills nothing twice and continues the invoice numbers', {
    timeout: 300_000,
  }, async () => {
    const [alice, bob, carol] = [newResourceId(), newResourceId(), newResourceId()];
    const dave = newResourceId();
    await produce(topic(Topics.customerEvents.name), [
      customerCreatedRecord(live, alice, { name: 'Alice' }),
      customerCreatedRecord(live, bob, { name: 'Bob' }),
      customerCreatedRecord(live, carol, { name: 'Carol' }),
      customerCreatedRecord(test, dave, { name: 'Dave' }),
    ]);
    await send(live, `billing_settings-${live.organizationId}`, 'ConfigureBilling', {
      invoice_grace_period_seconds: 1,
    });
    // Stripe's secrets as the gateway seals them: a rebuild must restore the sealed values.
    const sealed = (tail: string) => `v1:AAAAAAAAAAAAAAAA:BBBBBBBBBBBBBBBBBBBBBB:${tail}`;
    await send(live, `${live.organizationId}-live`, 'ConfigurePayments', {
      stripe: {
        secret_key: { sealed: sealed('c2stbGl2ZQ'), last4: '4242' },
        webhook_secret: sealed('d2hzZWM'),
        publishable_key: 'pk_live_51RebuildPublishable',
      },
      retry_schedule: { days_after_failure: [2, 5] },
    });
    await send(live, alice, 'LinkCustomerPaymentProvider', {
      customer_id: alice,
      provider: 'stripe',
      stripe_customer_id: 'cus_RebuildAlice',
      default_payment_method_id: null,
      source: 'api',
    });
    const definition = {
      code: planCode,
      name: 'Rebuild monthly',
      currency: 'usd',
      interval: 'month',
      prices: [flat(4_900, 'in_advance', 'Platform fee'), flat(1_500, 'in_arrears', 'Support')],
      minimum_amount_cents: null,
    };
    await send(live, planCode, 'CreatePlan', { plan_id: newResourceId(), definition });

    // Alice subscribes to version 1; the plan is revised, then Bob subscribes to version 2.
    const [aliceSubscriber, bobSubscriber] = monthlySubscribers(2, 0);
    const subscriptions = { alice: newResourceId(), bob: newResourceId() };
    const subscribe = (subscriptionId: string, customerId: string, start: Date | undefined) =>
      send(live, subscriptionId, 'CreateSubscription', {
        subscription_id: subscriptionId,
        customer_id: customerId,
        plan_code: planCode,
        start_date: start?.toISOString(),
        initial_status: 'active',
      });
    await subscribe(subscriptions.alice, alice, aliceSubscriber?.boundaries[0]);
    await send(live, planCode, 'RevisePlan', { code: planCode, changes: { name: 'Rebuild monthly, revised' } });
    await subscribe(subscriptions.bob, bob, bobSubscriber?.boundaries[0]);
    await eventually(
      async () => {
        expect((await subscription(subscriptions.alice)).billed_through).toEqual(aliceSubscriber?.boundaries.at(-1));
        expect((await subscription(subscriptions.bob)).billed_through).toEqual(bobSubscriber?.boundaries.at(-1));
      },
      { timeout: 120_000, label: 'both subscriptions billed up to their last boundary' },
    );
    await send(live, subscriptions.bob, 'CancelSubscription', {
      subscription_id: subscriptions.bob,
      cancel_mode: 'now',
      refund_policy: 'refund_prorated',
    });
    await eventually(async () => expect((await subscription(subscriptions.bob)).billing_finished).toBe(true), {
      timeout: 120_000,
      label: "Bob's last stretch billed",
    });

    // Manual invoices in every state; Carol's customer record is deleted after hers was finalized.
    await manualInvoice(live, alice);
    await finalize(live, await manualInvoice(live, alice));
    const paid = await manualInvoice(live, bob);
    await finalize(live, paid);
    // Paid in part, then marked paid (recording the rest as a payment), then part of the first payment refunded.
    const firstPayment = newResourceId();
    await send(live, paid, 'RecordInvoicePayment', {
      invoice_id: paid,
      payment_id: firstPayment,
      amount_cents: 1_000,
      method: 'bank_transfer',
      reference: 'SEPA-1',
      paid_at: null,
    });
    await send(live, paid, 'PayInvoice', { invoice_id: paid });
    await send(live, paid, 'RefundInvoicePayment', {
      invoice_id: paid,
      payment_id: firstPayment,
      refund_id: newResourceId(),
      amount_cents: 250,
    });
    const voided = await manualInvoice(live, carol);
    await finalize(live, voided);
    await send(live, voided, 'VoidInvoice', { invoice_id: voided });
    await produce(topic(Topics.customerEvents.name), [customerDeletedRecord(live, carol, new Date().toISOString())]);
    expect(await finalize(test, await manualInvoice(test, dave))).toBe(number(1));

    const clock = newResourceId();
    const frozen = Date.parse('2026-03-01T00:00:00Z');
    await send(test, clock, 'CreateTestClock', {
      test_clock_id: clock,
      name: 'Rebuild clock',
      frozen_time: new Date(frozen).toISOString(),
    });
    await send(test, clock, 'AdvanceTestClock', {
      test_clock_id: clock,
      frozen_time: new Date(frozen + 40 * 24 * 3600_000).toISOString(),
    });
    await eventually(
      async () => {
        expect((await rows('SELECT status FROM test_clocks'))[0]?.status).toBe('ready');
        expect(
          (await rows('SELECT deleted_at FROM invoice_customers WHERE id = $1', [carol]))[0]?.deleted_at,
        ).not.toBeNull();
      },
      { timeout: 60_000, label: 'the clock ready and Carol deleted' },
    );
    await grantCredits(subscriptions.alice);

    // Usage metering stored for Alice: her plan prices none of it, so it is rated at no cost.
    const metered = { organization_id: live.organizationId, mode: 'live', customer_id: alice };
    const usage = { usage_id: newResourceId(), idempotency_key: 'rebuild-1', event_name: 'api.call', meters: [] };
    const at = { timestamp: new Date().toISOString(), received_at: new Date().toISOString() };
    const events = [{ ...usage, ...at }];
    await produce(topic(Topics.usageMetered.name), [{ key: alice, value: JSON.stringify({ ...metered, events }) }]);
    await eventually(async () => expect(await rows('SELECT cost FROM rated_usage')).toEqual([{ cost: [] }]), {
      label: "Alice's usage rated",
    });

    const commandsSent = await billingSettled();
    const before = await everythingDerived();
    // 7 boundaries each for Alice and Bob, Bob's end, and three finalized manual invoices: numbered 1 to 18.
    const liveNumbers = await rows(
      `SELECT document->>'invoice_number' AS n FROM invoices WHERE mode = 'live' AND document->>'invoice_number' IS NOT NULL ORDER BY 1`,
    );
    expect(liveNumbers.map((row) => row.n)).toEqual(Array.from({ length: 18 }, (_, index) => number(index + 1)));
    expect(before.tables.invoice_number_sequences).toEqual([
      { organization_id: live.organizationId, mode: 'live', last_number: 18 },
      { organization_id: live.organizationId, mode: 'test', last_number: 1 },
    ]);
    expect(before.tables.invoice_customers).toHaveLength(4);
    // 3 × 1,250 = 3,750: 1,000 by transfer and 2,750 marked paid, 250 of the transfer refunded; 3,500 kept.
    const [paidRow] = await rows('SELECT document, state FROM invoices WHERE id = $1', [paid]);
    expect(paidRow.document).toMatchObject({ status: 'paid', amount_paid_cents: 3_500, amount_refunded_cents: 250 });
    expect(paidRow.state.payments.map((entry: { amount_cents: number }) => entry.amount_cents)).toEqual([
      1_000, 2_750, -250,
    ]);

    await service.stop();
    running = false;
    const connection = kafka();
    const pool = createPool({ url: env.DATABASE_URL, schema, applicationName: 'rebuild-test' });
    try {
      // What a rebuild must not trust: a sequence run ahead, one lost, billing progress forgotten.
      await pool.query(`UPDATE invoice_number_sequences SET last_number = last_number + 7 WHERE mode = 'live'`);
      await pool.query(`DELETE FROM invoice_number_sequences WHERE mode = 'test'`);
      await pool.query('UPDATE subscriptions SET billed_through = NULL, billing_finished = false');
      await pool.query('DELETE FROM plan_versions');
      const { events } = await rebuildInvoicing({ pool, kafka: connection, topicPrefix });
      expect(events).toBeGreaterThan(30);
      expect((await pool.query('SELECT * FROM invoice_customers')).rows).toEqual([]);
      const sequences = await pool.query('SELECT * FROM invoice_number_sequences ORDER BY mode');
      expect(sequences.rows).toEqual(before.tables.invoice_number_sequences);
      // Each projection writes its own tables and no other: replayed alone, it names only those.
      for (const projection of invoicingProjections)
        expect(await tablesWritten(pool, projection), projection.name).toEqual(new Set(projection.tables));
    } finally {
      await connection.close();
      await pool.end();
    }

    service = await startInvoicingService(env);
    running = true;
    await eventually(
      async () =>
        expect(await rows('SELECT * FROM invoice_customers ORDER BY invoice_customers::text')).toEqual(
          before.tables.invoice_customers,
        ),
      { timeout: 90_000, label: 'customer.events replayed into invoice_customers' },
    );
    // A whole billing pass over the rebuilt subscriptions sends nothing: everything due was billed.
    expect(await billingSettled()).toBe(commandsSent);
    expect(await everythingDerived()).toEqual(before);

    await expect(rebuildInvoicing({ pool: service.pool, kafka: service.kafka, topicPrefix })).rejects.toThrow(
      /stop invoicing-service first/,
    );
    expect(await finalize(live, await manualInvoice(live, alice))).toBe(number(19));
    expect(await finalize(test, await manualInvoice(test, dave))).toBe(number(2));
  });
});

/** The tables a projection writes when it alone replays the whole event store into empty tables (then rolled back). */
async function tablesWritten(pool: pg.Pool, projection: Projection): Promise<Set<string>> {
  const client = await pool.connect();
  const written = new Set<string>();
  const recording = {
    query(text: string, values?: unknown[]) {
      for (const [, table] of text.matchAll(/\b(?:INSERT\s+INTO|(?<!DO\s)UPDATE|DELETE\s+FROM)\s+(\w+)/gi))
        if (table) written.add(table);
      return client.query(text, values);
    },
  } as unknown as Transaction;
  try {
    await client.query('BEGIN');
    await client.query(`TRUNCATE ${invoicingProjections.flatMap((each) => each.tables).join(', ')}`);
    for (const event of await readAllEvents(client, startOfEventStore, 10_000, { appendsLocked: true }))
      if (projection.handles.includes(event.type)) await projection.apply(recording, event);
    return written;
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}
