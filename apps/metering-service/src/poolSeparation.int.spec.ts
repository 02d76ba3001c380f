import { Topics } from '@afternoon/contracts/topics';
import { newResourceId, type RunningService } from '@afternoon/service-kit';
import { customerCreatedRecord, dropSchemas, eventually, produce, serviceEnv, uniqueName } from '@afternoon/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAs } from '../test/records';
import { startMeteringService } from './app';

const tenant = { organizationId: 'org_pool_separation', mode: 'live' as const };

describe('metering-service pools', () => {
  const schema = uniqueName('metering');
  const env = serviceEnv(schema, `${uniqueName('t')}.`);
  let service: RunningService;
  const held: pg.PoolClient[] = [];

  beforeAll(async () => {
    service = await startMeteringService(env);
  });
  afterAll(async () => {
    for (const client of held) client.release();
    await service?.stop();
    await dropSchemas(schema);
  });

  it('stores ingested usage while every connection of the queries pool is taken by slow reads', async () => {
    const customerId = newResourceId();
    await produce(service.kafka.topic(Topics.customerEvents), [customerCreatedRecord(tenant, customerId)]);
    for (let i = 0; i < env.DB_POOL_QUERIES_MAX; i++) held.push(await service.pools.queries.connect());

    // A read finds no connection: briefly unavailable, never a 500.
    const read = await readAs(service, tenant, '/meters');
    expect(read).toMatchObject({ status: 503, body: { error: { code: 'SERVICE_UNAVAILABLE' } } });

    await produce(service.kafka.topic(Topics.usageIngest), [
      {
        key: customerId,
        value: JSON.stringify({
          ...{ organization_id: tenant.organizationId, mode: tenant.mode, customer_id: customerId },
          ...{ event_name: 'api.request', idempotency_key: 'while-queries-busy', properties: { tokens: 1 } },
          ...{ timestamp: '2026-01-15T10:30:00Z', received_at: '2026-01-15T10:30:01Z' },
        }),
      },
    ]);
    await eventually(
      async () => {
        const { rows } = await service.pools.background.query('SELECT 1 FROM usage_events WHERE idempotency_key = $1', [
          'while-queries-busy',
        ]);
        expect(rows).toHaveLength(1);
      },
      { label: 'usage stored through the ingest pool', timeout: 20_000 },
    );
  });
});
