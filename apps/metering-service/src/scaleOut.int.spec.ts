import { Topics } from '@afternoon/contracts/topics';
import type { UsageRecord } from '@afternoon/contracts/usage';
import { consumerGroupId, newResourceId, type RunningService } from '@afternoon/service-kit';
import {
  customerCreatedRecord,
  dropSchemas,
  dropTopics,
  eventually,
  produce,
  serviceEnv,
  uniqueName,
} from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meteringServiceName, startMeteringService } from './app';

import { usageConsumerName } from './usage/meterUsage';

const organizationId = 'org_scale_out';
const customers = Array.from({ length: 12 }, () => newResourceId());

/** `count` events spread over every customer (so over every partition); amounts in thousandths, summed exactly. */
function wave(first: number, count: number): UsageRecord[] {
  return Array.from({ length: count }, (_, offset) => {
    const index = first + offset;
    return {
      organization_id: organizationId,
      mode: 'live',
      event_name: 'compute.seconds',
      idempotency_key: `evt_${index}`,
      customer_id: customers[index % customers.length] ?? '',
      timestamp: '2026-07-01T10:00:00Z',
      properties: { seconds: (index % 1000) / 1000 },
      received_at: new Date().toISOString(),
    };
  });
}

/** Σ (i mod 1000) / 1000 over the indexes, as an exact decimal string. */
function expectedSeconds(count: number): string {
  let thousandths = 0n;
  for (let index = 0; index < count; index++) thousandths += BigInt(index % 1000);
  const whole = thousandths / 1000n;
  const fraction = (thousandths % 1000n).toString().padStart(3, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : `${whole}`;
}

describe('two metering instances in one consumer group', () => {
  const schema = uniqueName('metering_scale');
  const topicPrefix = `${uniqueName('scale')}.`;
  const env = serviceEnv(schema, topicPrefix);
  let first: RunningService;
  let second: RunningService;
  const usageTopic = `${topicPrefix}${Topics.usageIngest.name}`;
  const groupId = consumerGroupId(topicPrefix, meteringServiceName, usageConsumerName);

  beforeAll(async () => {
    [first, second] = await Promise.all([startMeteringService(env), startMeteringService(env)]);
  });
  afterAll(async () => {
    await Promise.allSettled([first.stop(), second.stop()]);
    await dropSchemas(schema);
    await dropTopics(topicPrefix);
  });

  const handledBy = async (service: RunningService) =>
    (await service.metrics.recordsHandled.get()).values
      .filter((value) => value.labels.group === groupId && value.labels.outcome === 'handled')
      .reduce((sum, value) => sum + value.value, 0);
  const stored = async () =>
    (
      await first.pool.query<{ events: number; seconds: string }>(
        `SELECT count(*)::int AS events, trim_scale(coalesce(sum((properties ->> 'seconds')::numeric), 0))::text AS seconds
           FROM usage_events`,
      )
    ).rows[0];
  const members = async () => {
    const admin = await first.kafka.admin();
    return (await admin.describeGroups([groupId])).groups[0]?.members.length;
  };

  it('split the partitions, and when one stops the other takes its partitions over, counting the same', async () => {
    await produce(
      `${topicPrefix}${Topics.customerEvents.name}`,
      customers.map((customer) => customerCreatedRecord({ organizationId, mode: 'live' }, customer)),
    );
    await eventually(async () => expect(await members()).toBe(2), {
      timeout: 30_000,
      label: 'both instances in the group',
    });

    const firstWave = wave(0, 6_000);
    await produce(
      usageTopic,
      firstWave.map((usage) => ({ key: usage.customer_id, value: JSON.stringify(usage) })),
    );
    await eventually(async () => expect((await stored())?.events).toBe(6_000), {
      timeout: 60_000,
      label: 'first wave stored',
    });
    // Each instance handled its own share of the partitions (counted just after each batch's commit).
    await eventually(async () => expect((await handledBy(first)) + (await handledBy(second))).toBe(6_000), {
      label: 'every record counted once',
    });
    expect(await handledBy(first)).toBeGreaterThan(0);
    expect(await handledBy(second)).toBeGreaterThan(0);

    await second.stop();
    await eventually(async () => expect(await members()).toBe(1), { timeout: 30_000, label: 'the group down to one' });
    // The second wave, every partition included, and the first wave again (a producer's retry).
    const secondWave = wave(6_000, 6_000);
    await produce(
      usageTopic,
      [...secondWave, ...firstWave.slice(0, 500)].map((usage) => ({
        key: usage.customer_id,
        value: JSON.stringify(usage),
      })),
    );
    await eventually(async () => expect((await stored())?.events).toBe(12_000), {
      timeout: 60_000,
      label: 'all stored',
    });
    // The same totals one instance would have: every event once, the sum exact.
    expect(await stored()).toEqual({ events: 12_000, seconds: expectedSeconds(12_000) });
    const { rows } = await first.pool.query('SELECT count(*)::int AS rejected FROM rejected_events');
    expect(rows[0].rejected).toBe(0);
  });
});
