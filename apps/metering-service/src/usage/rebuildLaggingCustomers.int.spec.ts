import { Topics } from '@afternoon/contracts/topics';
import type { UsageRecord } from '@afternoon/contracts/usage';
import {
  connectKafka,
  consumerGroupId,
  createLogger,
  createPool,
  newResourceId,
  type RunningService,
  type Tenant,
} from '@afternoon/service-kit';
import {
  customerCreatedRecord,
  dropSchemas,
  dropTopics,
  eventually,
  produce,
  serviceEnv,
  uniqueName,
} from '@afternoon/testkit';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { meteringServiceName, startMeteringService } from '../app';
import { rebuildMetering } from '../rebuildMetering';
import { usageConsumerName } from './meterUsage';

const tenant: Tenant = { organizationId: 'org_lagging_customers', mode: 'live' };

describe('a rebuild whose customer events replay behind its usage', () => {
  const schema = uniqueName('metering_lag');
  const topicPrefix = `${uniqueName('lag')}.`;
  const env = serviceEnv(schema, topicPrefix);
  let service: RunningService | undefined;
  afterAll(async () => {
    await service?.stop();
    await dropSchemas(schema);
    await dropTopics(topicPrefix);
  });

  const storedKeys = async () =>
    (
      await service?.pool.query<{ idempotency_key: string }>(
        'SELECT idempotency_key FROM usage_events ORDER BY idempotency_key',
      )
    )?.rows.map((row) => row.idempotency_key);
  /** How many times the usage consumer has finished (or given up) handling a whole fetched batch. */
  const usageBatchAttempts = async () =>
    (await (service as RunningService).metrics.handlerDuration.get()).values
      .filter(
        (value) =>
          value.metricName?.endsWith('_count') &&
          value.labels.type === 'batch' &&
          value.labels.group === consumerGroupId(topicPrefix, meteringServiceName, usageConsumerName),
      )
      .reduce((sum, value) => sum + value.value, 0);

  it('waits for the customer events instead of refusing the usage as from an unknown customer', async () => {
    service = await startMeteringService(env);
    const alice = newResourceId();
    await produce(`${topicPrefix}${Topics.customerEvents.name}`, [customerCreatedRecord(tenant, alice)]);
    await eventually(
      async () => expect((await service?.pool.query('SELECT id FROM known_customers'))?.rows).toHaveLength(1),
      { label: 'alice known' },
    );
    // Received after alice's creation was appended, as the gateway would have received them.
    const receivedAt = new Date().toISOString();
    const records: UsageRecord[] = ['u1', 'u2', 'u3'].map((key) => ({
      organization_id: tenant.organizationId,
      mode: tenant.mode,
      event_name: 'api.request',
      idempotency_key: key,
      customer_id: alice,
      timestamp: receivedAt,
      properties: { tokens: 1 },
      received_at: receivedAt,
    }));
    await produce(
      `${topicPrefix}${Topics.usageIngest.name}`,
      records.map((record) => ({ key: record.customer_id, value: JSON.stringify(record) })),
    );
    await eventually(async () => expect(await storedKeys()).toEqual(['u1', 'u2', 'u3']), { label: 'usage stored' });
    await service.stop();
    service = undefined;

    const pool = createPool({ url: env.DATABASE_URL, schema, applicationName: 'rebuild-lag-test' });
    const kafka = connectKafka({
      clientId: 'rebuild-lag-test',
      brokers: env.KAFKA_BROKERS,
      topicPrefix,
      logger: createLogger('rebuild-lag-test', 'warn'),
    });
    try {
      await rebuildMetering({ pool, kafka, topicPrefix });
    } finally {
      await kafka.close();
      await pool.end();
    }

    // The customer events cannot be applied while this transaction holds the table: the customer stream lags
    // behind the usage replay for as long as it takes the usage consumer to give up its wait once (over 5 s).
    const blocker = new pg.Client({ connectionString: env.DATABASE_URL });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`LOCK TABLE "${schema}".known_customers IN EXCLUSIVE MODE`);
      service = await startMeteringService(env);
      await eventually(async () => expect(await usageBatchAttempts()).toBeGreaterThan(0), {
        timeout: 30_000,
        label: 'the usage consumer gave up waiting for the customer events once',
      });
      await blocker.query('COMMIT');
    } finally {
      await blocker.end();
    }

    await eventually(async () => expect(await storedKeys()).toEqual(['u1', 'u2', 'u3']), {
      timeout: 30_000,
      label: 'usage stored again once the customer events caught up',
    });
    expect((await service.pool.query('SELECT reason FROM rejected_events')).rows).toEqual([]);
  });
});
