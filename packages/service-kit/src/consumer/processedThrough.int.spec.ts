import { eventually } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kitDatabase } from '../../test-fixtures/kitDatabase';
import { kitKafka } from '../../test-fixtures/kitKafka';
import type { Producer } from '../kafka/kafka';
import { createServiceMetrics } from '../metrics';
import { type RunningConsumer, startIdempotentConsumer } from './idempotentConsumer';
import { processedThrough, processedThroughWaiter } from './processedThrough';
import type { ConsumedRecord } from './records';

describe('processed through', () => {
  let db: Awaited<ReturnType<typeof kitDatabase>>;
  const { kafka, logger } = kitKafka();
  let producer: Producer;
  let consumer: RunningConsumer | undefined;
  const source = { name: 'usage', partitions: 2, retentionMs: -1, appendTime: true } as const;
  const groupId = kafka.topic({ name: 'usage.group', partitions: 1, retentionMs: 0 });
  const handled: ConsumedRecord[] = [];
  const held = new Map<string, () => void>();

  beforeAll(async () => {
    db = await kitDatabase();
    await kafka.ensureTopics([source, { name: 'usage.dlq', partitions: 1, retentionMs: -1 }]);
    producer = await kafka.createProducer();
  });
  afterAll(async () => {
    for (const release of held.values()) release();
    await consumer?.stop();
    await kafka.close();
    await db.drop();
  });

  const send = (partition: number, value: string) =>
    producer.send({ topic: kafka.topic(source), acks: -1, messages: [{ value, partition }] });
  const through = () => processedThrough({ pool: db.pool, kafka, groupId, topic: source });
  const handledRecord = (value: string) =>
    eventually(() => {
      const record = handled.find((candidate) => candidate.value === value);
      if (!record) throw new Error(`${value} not handled yet`);
      return record;
    });

  it('is the moment of asking while the group has handled everything', async () => {
    const before = Date.now();
    expect((await through()).getTime()).toBeGreaterThanOrEqual(before);
  });

  it('stops at the last handled record of a partition the group lags on', async () => {
    consumer = await startIdempotentConsumer({
      kafka,
      pool: db.pool,
      groupId,
      topics: [kafka.topic(source)],
      deadLetterTopic: kafka.topic({ name: 'usage.dlq', partitions: 1, retentionMs: -1 }),
      producer,
      logger,
      metrics: createServiceMetrics('processed-through-test'),
      // A record whose value starts with "hold" is not handled until the test releases it.
      handle: async (_tx, record) => {
        if (record.value?.startsWith('hold'))
          await new Promise<void>((release) => held.set(record.value ?? '', release));
        handled.push(record);
      },
    });
    await consumer.joined;

    await send(0, 'first');
    await send(1, 'hold-1');
    await handledRecord('first');
    await eventually(() => expect(held.has('hold-1')).toBe(true));
    // Partition 1 has handled nothing yet: nothing received can be vouched for.
    expect((await through()).getTime()).toBe(0);

    held.get('hold-1')?.();
    await send(1, 'second');
    await send(1, 'hold-2');
    const second = await handledRecord('second');
    await eventually(() => expect(held.has('hold-2')).toBe(true));
    // Partition 1 is handled up to 'second' (appended no later than 'hold-2'), so that is as far as it goes.
    expect((await through()).getTime()).toBe(Number(second.timestamp));

    held.get('hold-2')?.();
    const releasedAt = Date.now();
    await eventually(async () => expect((await through()).getTime()).toBeGreaterThanOrEqual(releasedAt));
  });

  it('checks beside the work of its caller: passes once the group handled what came before, fails while it lags', async () => {
    const waiter = processedThroughWaiter({ pool: db.pool, kafka, groupId, topic: source });
    const checked = async (instant: Date) => {
      const check = waiter.check(instant);
      await check.readPositions(db.pool);
      return check.passed();
    };
    await send(0, 'hold-3');
    await eventually(() => expect(held.has('hold-3')).toBe(true));
    const lagging = new Date();
    expect(await checked(lagging)).toBe(false);
    expect(await waiter(lagging, 50)).toBe(false);

    held.get('hold-3')?.();
    await eventually(async () => expect(await checked(lagging)).toBe(true));
    // Remembered: an instant already passed needs neither Kafka nor the positions.
    const remembered = waiter.check(lagging);
    expect(await remembered.passed()).toBe(true);
  });
});
