import { Topics } from '@afternoon/contracts/topics';
import {
  connectKafka,
  createLogger,
  internalApiHeaders,
  type KafkaConnection,
  newResourceId,
  TenantHeaders,
} from '@afternoon/service-kit';
import {
  commandRecord,
  customerCreatedRecord,
  dropSchemas,
  dropTopics,
  eventually,
  produce,
  serviceEnv,
  testInfra,
  testInternalApiToken,
  uniqueName,
} from '@afternoon/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inAdvanceCents, inArrearsCents, invoiceNumbers, monthlySubscribers } from '../../test/monthlySubscribers';
import { type RunningInvoicingService, startInvoicingService } from '../app';
import type { StuckBoundary } from './boundaryAttempts';

describe('a boundary whose invoice command is dead-lettered', () => {
  const schema = uniqueName('boundary_retry');
  const topicPrefix = `${uniqueName('t')}.`;
  const tenant = { organizationId: uniqueName('org_boundary_retry'), mode: 'live' as const };
  const planCode = 'retry_monthly';
  const [subscriber] = monthlySubscribers(1, 0);
  if (!subscriber) throw new Error('one subscriber');
  // b0 and b1 bill; b2 is refused by the database until the test lets it through; b3..b6 come after it.
  const refused = subscriber.boundaries[2] as Date;
  let service: RunningInvoicingService;
  let kafka: KafkaConnection;
  let db: pg.Pool;

  beforeAll(async () => {
    kafka = connectKafka({
      clientId: 'boundary-retry-test',
      brokers: testInfra().kafkaBrokers,
      topicPrefix,
      logger: createLogger('boundary-retry-test', 'warn'),
    });
    db = new pg.Pool({ connectionString: testInfra().databaseUrl, max: 2 });
    service = await startInvoicingService({
      ...serviceEnv(schema, topicPrefix),
      BILLING_RUN_INTERVAL_MS: 100,
      BILLING_BOUNDARY_RETRY_MS: 300,
      // The plan prices no usage, so metering is never asked; nothing listens here.
      METERING_SERVICE_URL: 'http://127.0.0.1:9',
    });
  });
  afterAll(async () => {
    await service?.stop();
    await kafka.close();
    await db.end();
    await dropSchemas(schema);
    await dropTopics(topicPrefix);
  });

  const billed = async () =>
    (
      await db.query<{ boundary: Date; number: string }>(
        `SELECT billing_boundary AS boundary, document->>'invoice_number' AS number
           FROM ${schema}.invoices ORDER BY billing_boundary`,
      )
    ).rows;
  const billedThrough = async () =>
    (await db.query(`SELECT billed_through FROM ${schema}.subscriptions`)).rows[0]?.billed_through;
  const stuck = async (): Promise<StuckBoundary[]> => {
    const response = await fetch(`http://127.0.0.1:${service.port}/billing-run/stuck-boundaries`, {
      headers: {
        ...internalApiHeaders(testInternalApiToken),
        [TenantHeaders.organizationId]: tenant.organizationId,
        [TenantHeaders.mode]: tenant.mode,
      },
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { stuck_boundaries: StuckBoundary[] }).stuck_boundaries;
  };
  const deadLettered = async () =>
    (await (await kafka.admin()).fetchTopicOffsets(kafka.topic(Topics.invoiceCommandsDeadLetter))).reduce(
      (sum, { high }) => sum + Number(high),
      0,
    );

  it('holds the later boundaries back, shows it as stuck, and bills all of them in order once it can', {
    timeout: 120_000,
  }, async () => {
    // A value the store refuses (SQLSTATE class 22): the command can never succeed as long as the trigger stands.
    await db.query(`
      CREATE FUNCTION ${schema}.refuse_boundary() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.billing_boundary = '${refused.toISOString()}' THEN
          RAISE EXCEPTION 'boundary refused by the test' USING ERRCODE = '22023';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_boundary BEFORE INSERT ON ${schema}.invoices
        FOR EACH ROW EXECUTE FUNCTION ${schema}.refuse_boundary();`);
    const flat = (amount_cents: number, timing: string, description: string) => ({
      id: newResourceId(),
      model: 'flat',
      amount_cents,
      timing,
      description,
    });
    const definition = {
      code: planCode,
      name: 'Retry monthly',
      currency: 'usd',
      interval: 'month',
      prices: [flat(inAdvanceCents, 'in_advance', 'Platform fee'), flat(inArrearsCents, 'in_arrears', 'Support')],
      minimum_amount_cents: null,
    };
    await produce(kafka.topic(Topics.customerEvents), [customerCreatedRecord(tenant, subscriber.customerId)]);
    await produce(kafka.topic(Topics.invoiceCommands), [
      commandRecord(tenant, planCode, 'CreatePlan', { plan_id: newResourceId(), definition }),
    ]);
    const known = `SELECT (SELECT count(*) FROM ${schema}.plans) + (SELECT count(*) FROM ${schema}.invoice_customers) AS n`;
    await eventually(async () => expect(Number((await db.query(known)).rows[0]?.n)).toBe(2), {
      timeout: 30_000,
      label: 'the plan and the customer known to invoicing',
    });
    await produce(kafka.topic(Topics.invoiceCommands), [
      commandRecord(tenant, subscriber.subscriptionId, 'CreateSubscription', {
        subscription_id: subscriber.subscriptionId,
        customer_id: subscriber.customerId,
        plan_code: planCode,
        start_date: subscriber.boundaries[0]?.toISOString(),
        initial_status: 'active',
      }),
    ]);

    const stuckBoundary = await eventually(
      async () => {
        expect(await deadLettered()).toBeGreaterThanOrEqual(1);
        const [first] = await stuck();
        expect(first?.attempts).toBeGreaterThanOrEqual(2);
        return first;
      },
      { timeout: 60_000, label: 'the refused boundary dead-lettered, sent again and listed as stuck' },
    );
    expect(stuckBoundary).toMatchObject({
      subscription_id: subscriber.subscriptionId,
      boundary: refused.toISOString(),
    });
    // Nothing past the refused boundary was billed: billed_through stays on the one before it.
    expect((await billed()).map(({ boundary }) => boundary)).toEqual(subscriber.boundaries.slice(0, 2));
    expect(await billedThrough()).toEqual(subscriber.boundaries[1]);

    await db.query(`DROP TRIGGER refuse_boundary ON ${schema}.invoices`);
    const all = await eventually(
      async () => {
        const rows = await billed();
        expect(rows).toHaveLength(subscriber.boundaries.length);
        return rows;
      },
      { timeout: 60_000, label: 'every boundary billed once the cause is gone' },
    );
    // In boundary order, numbered without a gap: the refused boundary took the number after its predecessor's.
    expect(all.map(({ boundary }) => boundary)).toEqual(subscriber.boundaries);
    expect(all.map(({ number }) => number)).toEqual(invoiceNumbers(subscriber.boundaries.length));
    expect(await billedThrough()).toEqual(subscriber.boundaries.at(-1));
    await eventually(async () => expect(await stuck()).toEqual([]), { label: 'no boundary stuck any more' });
  });
});
