import { randomBytes, randomUUID } from 'node:crypto';
import { testClockEventWireNames } from '@afternoon/contracts/testClocks';
import { Topics } from '@afternoon/contracts/topics';
import { consumerGroupId, type RunningService } from '@afternoon/service-kit';
import { dropSchemas, dropTopics, eventually, produce, serviceEnv, uniqueName } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNotificationService } from './app';
import { newTenant, type TestTenant } from './deliveries/deliveries.testing';
import { testClockTimesConsumer } from './emails/reminders/testClockTimes';
import { withRebuildConnections } from './rebuild.testing';
import { rebuildNotifications } from './rebuildNotifications';

describe('rebuilding notification-service', () => {
  const schema = uniqueName('notification_rebuild');
  const topicPrefix = `${uniqueName('nrb')}.`;
  const env = serviceEnv(schema, topicPrefix);
  let service: RunningService;
  // Stopping twice is not safe, so afterAll stops only a service the test left running.
  let running = false;

  beforeAll(async () => {
    service = await startNotificationService(env);
    running = true;
  });
  afterAll(async () => {
    if (running) await service.stop();
    await dropSchemas(schema);
    await dropTopics(topicPrefix);
  });

  /** A record of invoicing's test clock stream, as it appears on `invoice.events`. */
  const clockRecord = (tenant: TestTenant, clockId: string, version: number, type: string, data: object) => ({
    key: `test_clock-${clockId}`,
    value: JSON.stringify({
      event_id: randomUUID(),
      type,
      stream_id: `test_clock-${clockId}`,
      version,
      data: { test_clock_id: clockId, ...data },
      metadata: {
        organization_id: tenant.organizationId,
        mode: tenant.mode,
        occurred_at: new Date().toISOString(),
        correlation_id: 't',
        causation_id: 't',
      },
    }),
  });
  const created = (tenant: TestTenant, clockId: string, at: string) =>
    clockRecord(tenant, clockId, 1, testClockEventWireNames.TestClockCreated, {
      name: null,
      frozen_time: at,
      created_at: new Date().toISOString(),
    });
  const advanced = (tenant: TestTenant, clockId: string, version: number, from: string, to: string) =>
    clockRecord(tenant, clockId, version, testClockEventWireNames.TestClockAdvanced, {
      from,
      frozen_time: to,
      advanced_at: new Date().toISOString(),
    });
  const clockTimes = async () =>
    (
      await service.pool.query(
        `SELECT organization_id, mode, id, frozen_time FROM email_test_clocks ORDER BY organization_id, mode, id`,
      )
    ).rows;

  it('folds the test clocks reminders follow again from invoice.events, not trusting what it had', {
    timeout: 120_000,
  }, async () => {
    const tenant = newTenant('test');
    const [first, second] = [`clk${randomBytes(11).toString('hex')}`, `clk${randomBytes(11).toString('hex')}`];
    await produce(`${topicPrefix}${Topics.invoiceEvents.name}`, [
      created(tenant, first, '2030-01-01T00:00:00.000Z'),
      advanced(tenant, first, 2, '2030-01-01T00:00:00.000Z', '2030-02-01T00:00:00.000Z'),
      created(tenant, second, '2031-06-01T00:00:00.000Z'),
    ]);
    const before = await eventually(
      async () => {
        const times = await clockTimes();
        expect(times.map((row) => [row.id, row.frozen_time.toISOString()]).sort()).toEqual(
          [
            [first, '2030-02-01T00:00:00.000Z'],
            [second, '2031-06-01T00:00:00.000Z'],
          ].sort(),
        );
        return times;
      },
      { timeout: 30_000, label: 'both clocks folded' },
    );

    await service.stop();
    running = false;
    await withRebuildConnections(env, async (connections) => {
      // What a rebuild must not trust: a clock run ahead (which only moving forward would keep) and one lost.
      await connections.pool.query(`UPDATE email_test_clocks SET frozen_time = '2099-01-01' WHERE id = $1`, [first]);
      await connections.pool.query('DELETE FROM email_test_clocks WHERE id = $1', [second]);
      await rebuildNotifications(connections);
      expect((await connections.pool.query('SELECT * FROM email_test_clocks')).rows).toEqual([]);
      const offsets = await connections.pool.query('SELECT 1 FROM consumer_offsets WHERE group_id = $1', [
        consumerGroupId(topicPrefix, 'notification-service', testClockTimesConsumer.name),
      ]);
      expect(offsets.rowCount).toBe(0);
    });

    service = await startNotificationService(env);
    running = true;
    await eventually(async () => expect(await clockTimes()).toEqual(before), {
      timeout: 60_000,
      label: 'invoice.events replayed into email_test_clocks',
    });
  });
});
