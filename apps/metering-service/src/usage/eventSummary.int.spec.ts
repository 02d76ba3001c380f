import { Topics } from '@afternoon/contracts/topics';
import type { EventSummary, UsageRecord } from '@afternoon/contracts/usage';
import { consumerGroupId, createPool, newResourceId, type RunningService, type Tenant } from '@afternoon/service-kit';
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
import { readAs } from '../../test/records';
import { meteringServiceName, startMeteringService } from '../app';
import { usageConsumerName } from './meterUsage';

const tenant: Tenant = { organizationId: 'org_ledger', mode: 'live' };

describe('the ingest ledger', () => {
  const schema = uniqueName('metering_ledger');
  const topicPrefix = `${uniqueName('ledger')}.`;
  const env = serviceEnv(schema, topicPrefix);
  let service: RunningService | undefined;
  afterAll(async () => {
    await service?.stop();
    await dropSchemas(schema);
    await dropTopics(topicPrefix);
  });

  const summaryOf = async (from: Date, to: Date) => {
    const window = `from=${from.toISOString()}&to=${to.toISOString()}`;
    const { status, body } = await readAs(service as RunningService, tenant, `/events/summary?${window}`);
    expect(status).toBe(200);
    return body.summary as EventSummary;
  };
  const completeSummary = (from: Date, to: Date) =>
    eventually(
      async () => {
        const summary = await summaryOf(from, to);
        expect(summary.complete).toBe(true);
        return summary;
      },
      { timeout: 30_000, label: 'every record of the window handled' },
    );

  it('counts each record once as stored, duplicate or rejected, and a redelivery of them all changes nothing', async () => {
    service = await startMeteringService(env);
    const alice = newResourceId();
    await produce(`${topicPrefix}${Topics.customerEvents.name}`, [customerCreatedRecord(tenant, alice)]);
    const from = new Date();
    const usage = (key: string, tokens = 1): UsageRecord => ({
      organization_id: tenant.organizationId,
      mode: tenant.mode,
      event_name: 'api.request',
      idempotency_key: key,
      customer_id: alice,
      timestamp: '2026-01-15T10:30:00Z',
      properties: { tokens },
      received_at: from.toISOString(),
    });
    const records = [
      usage('k1'),
      usage('k2'),
      usage('k1'),
      usage('k1', 5),
      { ...usage('k3'), customer_id: newResourceId() },
      { ...usage('k4'), event_name: '' },
    ].map((record) => ({ key: alice, value: JSON.stringify(record) }));
    await produce(`${topicPrefix}${Topics.usageIngest.name}`, records);
    // A later batch repeats a stored key: a duplicate too.
    await produce(`${topicPrefix}${Topics.usageIngest.name}`, [{ key: alice, value: JSON.stringify(usage('k2')) }]);
    // A millisecond on: a record appended in the same millisecond as `to` is outside [from, to).
    const to = new Date(Date.now() + 1);

    const first = await completeSummary(from, to);
    expect(first).toEqual({
      from: from.toISOString(),
      to: to.toISOString(),
      received: 7,
      stored: 2,
      duplicates: 2,
      rejected: {
        total: 3,
        by_reason: {
          invalid_record: 1,
          unknown_customer: 1,
          customer_deleted: 0,
          conflicting_duplicate: 1,
          unstorable_value: 0,
        },
      },
      in_flight: 0,
      complete: true,
      processed_through: expect.any(String),
    });
    // Nothing of another window.
    expect((await summaryOf(new Date(from.getTime() - 60_000), from)).received).toBe(0);

    // The database forgets which records it handled (offsets restored from an older backup): all are redelivered.
    await service.stop();
    service = undefined;
    const pool = createPool({ url: env.DATABASE_URL, schema, applicationName: 'ledger-test' });
    try {
      const groupId = consumerGroupId(topicPrefix, meteringServiceName, usageConsumerName);
      const rewound = await pool.query('UPDATE consumer_offsets SET next_offset = 0 WHERE group_id = $1', [groupId]);
      expect(rewound.rowCount).toBeGreaterThan(0);
    } finally {
      await pool.end();
    }
    service = await startMeteringService(env);
    const replayedAfter = new Date();
    await eventually(
      async () =>
        expect(
          (await (service as RunningService).processedThrough(usageConsumerName, Topics.usageIngest)).getTime(),
        ).toBeGreaterThan(replayedAfter.getTime()),
      { timeout: 30_000, label: 'every record handled again' },
    );
    const { processed_through: _, ...again } = await completeSummary(from, to);
    const { processed_through: __, ...before } = first;
    expect(again).toEqual(before);
  });

  it('counts the records of the window not handled yet, of every organization, as in flight until they are', async () => {
    const running = service as RunningService;
    const alice = newResourceId();
    await produce(`${topicPrefix}${Topics.customerEvents.name}`, [customerCreatedRecord(tenant, alice)]);
    const from = new Date();
    const blocker = new pg.Client({ connectionString: env.DATABASE_URL });
    await blocker.connect();
    try {
      // Metering can read but not store while this transaction holds the table.
      await blocker.query('BEGIN');
      await blocker.query(`LOCK TABLE "${schema}".usage_events IN EXCLUSIVE MODE`);
      const record = (key: string) => ({
        key: alice,
        value: JSON.stringify({
          organization_id: tenant.organizationId,
          mode: tenant.mode,
          event_name: 'api.request',
          idempotency_key: key,
          customer_id: alice,
          timestamp: from.toISOString(),
          received_at: from.toISOString(),
        }),
      });
      await produce(running.kafka.topic(Topics.usageIngest), [record('f1'), record('f2'), record('f3')]);
      // A millisecond on: a record appended in the same millisecond as `to` is outside [from, to).
      const to = new Date(Date.now() + 1);
      expect(await summaryOf(from, to)).toMatchObject({ received: 0, in_flight: 3, complete: false });
      await blocker.query('COMMIT');
      expect(await completeSummary(from, to)).toMatchObject({ received: 3, stored: 3, in_flight: 0 });
    } finally {
      await blocker.end();
    }
  });
});
