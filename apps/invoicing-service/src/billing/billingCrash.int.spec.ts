import { type TopicSpec, Topics } from '@afternoon/contracts/topics';
import { connectKafka, createLogger, type KafkaConnection, newResourceId } from '@afternoon/service-kit';
import {
  commandRecord,
  customerCreatedRecord,
  dropSchemas,
  dropTopics,
  eventually,
  produce,
  serviceEnv,
  testInfra,
  uniqueName,
} from '@afternoon/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type InvoicingProcess,
  killInvoicingProcess,
  startInvoicingProcess,
  stopInvoicingProcess,
} from '../../test/invoicingProcess';
import {
  expectedInvoices,
  inAdvanceCents,
  inArrearsCents,
  invoiceNumbers,
  monthlySubscribers,
  periodEnds,
  type Subscriber,
} from '../../test/monthlySubscribers';
import { startInvoicingService } from '../app';

const subscriberCount = 40;
const planCode = 'crash_monthly';

describe('the invoicing service killed mid-billing-run and restarted', () => {
  const schema = uniqueName('billing_crash');
  const topicPrefix = `${uniqueName('t')}.`;
  const tenant = { organizationId: uniqueName('org_billing_crash'), mode: 'live' as const };
  const env = serviceEnv(schema, topicPrefix);
  const childEnv = {
    ...Object.fromEntries(Object.entries(env).map(([name, value]) => [name, String(value)])),
    KAFKA_BROKERS: env.KAFKA_BROKERS.join(','),
    LOG_LEVEL: 'info',
    BILLING_RUN_INTERVAL_MS: '100',
    BILLING_GRACE_PERIOD_SECONDS: '1',
    // The plan prices no usage, so metering is never asked; nothing listens here.
    METERING_SERVICE_URL: 'http://127.0.0.1:9',
  };
  const commandsGroup = `${topicPrefix}invoicing-service.commands`;
  const processes: InvoicingProcess[] = [];
  let kafka: KafkaConnection;
  let db: pg.Pool;

  beforeAll(async () => {
    kafka = connectKafka({
      clientId: 'billing-crash-test',
      brokers: testInfra().kafkaBrokers,
      topicPrefix,
      logger: createLogger('billing-crash-test', 'warn'),
    });
    db = new pg.Pool({ connectionString: testInfra().databaseUrl, max: 2 });
  });
  afterAll(async () => {
    await Promise.all(processes.map(killInvoicingProcess));
    await kafka.close();
    await db.end();
    await dropSchemas(schema);
    await dropTopics(topicPrefix);
  });

  const count = async (sql: string) => (await db.query<{ n: number }>(sql)).rows[0]?.n ?? 0;
  const invoiceCount = () => count(`SELECT count(*)::int AS n FROM ${schema}.invoices`);
  const topicEnd = async (topic: TopicSpec) =>
    (await (await kafka.admin()).fetchTopicOffsets(kafka.topic(topic))).reduce(
      (sum, { high }) => sum + Number(high),
      0,
    );
  const commandsHandled = () =>
    count(`SELECT coalesce(sum(next_offset), 0)::int AS n FROM ${schema}.consumer_offsets
            WHERE group_id = '${commandsGroup}' AND topic = '${kafka.topic(Topics.invoiceCommands)}'`);
  const start = (): InvoicingProcess => {
    const invoicing = startInvoicingProcess(childEnv);
    processes.push(invoicing);
    return invoicing;
  };

  /**
   * Waits until `target` invoices exist or a command was dead-lettered, then requires exactly `target` and no dead
   * letter: an invoice too many (double billing) or a command that could not be handled fails here at once.
   */
  async function billingSettles(invoicing: InvoicingProcess, target: number, label: string): Promise<void> {
    const settled = await eventually(
      async () => {
        expect(invoicing.child.exitCode, invoicing.output()).toBeNull();
        const billed = await invoiceCount();
        const deadLetters = await topicEnd(Topics.invoiceCommandsDeadLetter);
        expect(billed >= target || deadLetters > 0, `${billed} of ${target} invoices`).toBe(true);
        return { billed, deadLetters };
      },
      { timeout: 90_000, interval: 50, label },
    );
    expect(settled).toEqual({ billed: target, deadLetters: 0 });
  }

  /** Customers as customer-service announces them, subscriptions as the gateway sends them. */
  async function subscribe(joining: readonly Subscriber[]): Promise<void> {
    await produce(
      kafka.topic(Topics.customerEvents),
      joining.map(({ customerId }) => customerCreatedRecord(tenant, customerId, { name: `Subscriber ${customerId}` })),
    );
    await produce(
      kafka.topic(Topics.invoiceCommands),
      joining.map(({ customerId, subscriptionId, boundaries }) =>
        commandRecord(tenant, subscriptionId, 'CreateSubscription', {
          subscription_id: subscriptionId,
          customer_id: customerId,
          plan_code: planCode,
          start_date: boundaries[0]?.toISOString(),
          initial_status: 'active',
        }),
      ),
    );
  }

  /** The plan and the first subscribers, by an in-process service that runs no billing. */
  async function setUp(joining: readonly Subscriber[]): Promise<void> {
    const service = await startInvoicingService({ ...env, BILLING_RUN_ENABLED: false });
    try {
      const flat = (amount_cents: number, timing: string, description: string) => ({
        id: newResourceId(),
        model: 'flat',
        amount_cents,
        timing,
        description,
      });
      const definition = {
        code: planCode,
        name: 'Crash monthly',
        currency: 'usd',
        interval: 'month',
        prices: [flat(inAdvanceCents, 'in_advance', 'Platform fee'), flat(inArrearsCents, 'in_arrears', 'Support')],
        minimum_amount_cents: null,
      };
      await produce(kafka.topic(Topics.invoiceCommands), [
        commandRecord(tenant, planCode, 'CreatePlan', { plan_id: newResourceId(), definition }),
      ]);
      await eventually(async () => expect(await count(`SELECT count(*)::int AS n FROM ${schema}.plans`)).toBe(1), {
        label: 'plan created',
      });
      await subscribe(joining);
      await eventually(
        async () => expect(await count(`SELECT count(*)::int AS n FROM ${schema}.subscriptions`)).toBe(joining.length),
        { timeout: 30_000, label: 'subscriptions created' },
      );
      expect(await invoiceCount()).toBe(0);
    } finally {
      await service.stop();
    }
  }

  /**
   * Exactly the expected invoices, numbered without gap or duplicate, each boundary marked billed, and every command
   * the service handled either done once or refused as a CONFLICT. The run records invoices in its own transactions
   * (a command only for a batch that failed): were a boundary's invoice id drawn instead of derived from
   * (subscription, boundary), or the subscription row not locked and checked unchanged before recording, a run
   * restarted after the kill, or two runs side by side, would bill a boundary twice: a second row and numbers past
   * the last expected one. Were the number taken outside the batch's rollback, a gap.
   */
  async function expectBilledExactly(billed: readonly Subscriber[]): Promise<number> {
    const expected = expectedInvoices(billed);
    const { rows: invoices } = await db.query(
      `SELECT subscription_id, billing_boundary, status, document->>'billing_reason' AS billing_reason,
              (document->>'total_cents')::int AS total_cents
         FROM ${schema}.invoices WHERE organization_id = $1 ORDER BY subscription_id COLLATE "C", billing_boundary`,
      [tenant.organizationId],
    );
    expect(invoices).toEqual(expected);
    const { rows: numbers } = await db.query<{ number: string }>(
      `SELECT document->>'invoice_number' AS number FROM ${schema}.invoices ORDER BY 1`,
    );
    expect(numbers.map((row) => row.number)).toEqual(invoiceNumbers(expected.length));
    expect(await count(`SELECT count(*)::int AS n FROM ${schema}.events WHERE type = 'InvoiceCreated'`)).toBe(
      expected.length,
    );
    const { rows: progress } = await db.query(
      `SELECT id, billed_through, billing_finished FROM ${schema}.subscriptions ORDER BY id COLLATE "C"`,
    );
    expect(progress).toEqual(
      [...billed]
        .sort((a, b) => (a.subscriptionId < b.subscriptionId ? -1 : 1))
        .map(({ subscriptionId, boundaries }) => ({
          id: subscriptionId,
          billed_through: boundaries.at(-1),
          billing_finished: false,
        })),
    );
    const { rows: outcomes } = await db.query<{ outcome: string; invoice: boolean; n: number }>(
      `SELECT coalesce(reply->'error'->>'code', 'ok') AS outcome,
              (reply->'result'->>'invoice_number') IS NOT NULL AS invoice, count(*)::int AS n
         FROM ${schema}.handled_commands GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    const conflicts = outcomes.find((row) => row.outcome === 'CONFLICT')?.n ?? 0;
    // The plan and the subscriptions done once; an invoice is a command's only when the run's batch failed (a lock
    // wait past its timeout while the other run records), and is then counted among the events above.
    expect(outcomes.filter((row) => row.outcome !== 'CONFLICT' && !row.invoice)).toEqual([
      { outcome: 'ok', invoice: false, n: 1 + billed.length },
    ]);
    expect(outcomes.filter((row) => row.outcome !== 'CONFLICT' && row.outcome !== 'ok')).toEqual([]);
    expect(await topicEnd(Topics.invoiceCommandsDeadLetter)).toBe(0);
    expect(await topicEnd(Topics.consumerDeadLetter)).toBe(0);
    return conflicts;
  }

  // Normally well under a minute; the deadlines are for a loaded two-core machine.
  it('bills each subscription once per boundary, numbered without gaps, across a SIGKILL and restarts', {
    timeout: 240_000,
  }, async () => {
    const firstSubscribers = monthlySubscribers(subscriberCount, 0);
    const expectedTotal = subscriberCount * (periodEnds + 1);
    const setupCommands = 1 + subscriberCount;
    await setUp(firstSubscribers);

    const first = start();
    await eventually(
      async () => {
        expect(first.child.exitCode, first.output()).toBeNull();
        expect(await invoiceCount()).toBeGreaterThanOrEqual(20);
      },
      { timeout: 60_000, interval: 5, label: 'first invoices billed' },
    );
    await killInvoicingProcess(first);
    // Read once the process is gone: a transaction it committed just before dying counts.
    const invoicesAtKill = await invoiceCount();
    const sentAtKill = (await topicEnd(Topics.invoiceCommands)) - setupCommands;
    const handledAtKill = (await commandsHandled()) - setupCommands;
    expect(invoicesAtKill).toBeGreaterThan(0);
    expect(invoicesAtKill, 'the kill came before the run finished').toBeLessThan(expectedTotal);

    // Two runs at once from here on: the same boundaries come due in both, and only one may record each.
    const second = start();
    const twin = start();
    // Both started before the outcome is judged and both are stopped: a twin stopped while still starting (which it
    // survives, exit 0) would never have run its billing, and nothing would have raced the second's run.
    await Promise.all([second.ready, twin.ready]);
    await billingSettles(second, expectedTotal, 'every boundary billed after the restart');
    expect(twin.child.exitCode, twin.output()).toBeNull();
    expect(await stopInvoicingProcess(second), second.output()).toBe(0);
    expect(await stopInvoicingProcess(twin), twin.output()).toBe(0);
    const afterRestart = await expectBilledExactly(firstSubscribers);

    // Started again with everything billed: the billed boundaries stay untouched while a newcomer is billed, which
    // proves the run went over every subscription (it goes oldest first) and found nothing else due.
    const snapshot = async () =>
      (await db.query(`SELECT id, version, document FROM ${schema}.invoices ORDER BY id`)).rows;
    const billedBefore = await snapshot();
    const third = start();
    await third.ready;
    const newcomer = monthlySubscribers(1, subscriberCount);
    await subscribe(newcomer);
    await billingSettles(third, expectedTotal + periodEnds + 1, "the newcomer's boundaries billed");
    await eventually(async () => expect(await commandsHandled()).toBe(await topicEnd(Topics.invoiceCommands)), {
      timeout: 60_000,
      interval: 50,
      label: 'every command handled',
    });
    expect(await stopInvoicingProcess(third), third.output()).toBe(0);
    const newcomerIds = new Set((await snapshot()).map((row) => row.id));
    for (const { id } of billedBefore) newcomerIds.delete(id);
    expect((await snapshot()).filter((row) => !newcomerIds.has(row.id))).toEqual(billedBefore);
    const conflicts = await expectBilledExactly([...firstSubscribers, ...newcomer]);

    console.info(
      `invoicing killed with ${invoicesAtKill} of ${expectedTotal} invoices billed ` +
        `(${sentAtKill} billing commands sent, ${handledAtKill} handled); ` +
        `${afterRestart} commands refused as CONFLICT after the restart, ${conflicts} in all`,
    );
  });
});
