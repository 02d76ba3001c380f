import { eventually, produce } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kitDatabase } from '../../test-fixtures/kitDatabase';
import { kitKafka } from '../../test-fixtures/kitKafka';
import type { Producer } from '../kafka/kafka';
import { createLogger } from '../logger';
import { createServiceMetrics } from '../metrics';
import { type RunningConsumer, startIdempotentConsumer } from './idempotentConsumer';
import type { RecordHandler } from './records';

describe('stored offsets tied to the topic they came from', () => {
  let db: Awaited<ReturnType<typeof kitDatabase>>;
  const { kafka } = kitKafka();
  let producer: Producer;
  const running: RunningConsumer[] = [];

  beforeAll(async () => {
    db = await kitDatabase();
    producer = await kafka.createProducer();
  });
  afterAll(async () => {
    await Promise.all(running.map((consumer) => consumer.stop()));
    await kafka.close();
    await db.drop();
  });

  async function scenario(name: string) {
    const source = { name, partitions: 1, retentionMs: -1 };
    const dlq = { name: `${name}.dlq`, partitions: 1, retentionMs: -1 };
    await kafka.ensureTopics([source, dlq]);
    const topic = kafka.topic(source);
    const groupId = kafka.topic({ name: `${name}.group`, partitions: 1, retentionMs: 0 });
    const logLines: Array<{ level: number; msg: string; [field: string]: unknown }> = [];
    const logger = createLogger('kit-test', 'info', { write: (line: string) => logLines.push(JSON.parse(line)) });
    const recordEffect: RecordHandler = async (tx, record) => {
      await tx.query('INSERT INTO effects (source, payload) VALUES ($1, $2)', [name, record.value]);
    };
    const start = async () => {
      const consumer = await startIdempotentConsumer({
        kafka,
        pool: db.pool,
        groupId,
        topics: [topic],
        deadLetterTopic: kafka.topic(dlq),
        producer,
        logger,
        metrics: createServiceMetrics(name),
        handle: recordEffect,
      });
      running.push(consumer);
      await consumer.joined;
      return {
        async stop() {
          await consumer.stop();
          running.splice(running.indexOf(consumer), 1);
        },
      };
    };
    const send = (values: string[]) =>
      produce(
        topic,
        values.map((value) => ({ key: 'same-key', value })),
      );
    const effects = async () =>
      (
        await db.pool.query<{ payload: string }>('SELECT payload FROM effects WHERE source = $1 ORDER BY id', [name])
      ).rows.map((row) => row.payload);
    const errors = () => logLines.filter((line) => line.level >= 50);
    const storedOrigin = async () =>
      (
        await db.pool.query<{ cluster_id: string }>(
          'SELECT cluster_id FROM consumer_offset_origins WHERE group_id = $1 AND topic = $2',
          [groupId, topic],
        )
      ).rows[0]?.cluster_id;
    /** Offsets as a database that handled the first `nextOffset` records of `topic` on `clusterId` would hold them. */
    const storeOffsets = async (nextOffset: number, clusterId?: string) => {
      await db.pool.query(
        'INSERT INTO consumer_offsets (group_id, topic, partition, next_offset) VALUES ($1, $2, 0, $3)',
        [groupId, topic, nextOffset],
      );
      if (clusterId) {
        await db.pool.query('INSERT INTO consumer_offset_origins (group_id, topic, cluster_id) VALUES ($1, $2, $3)', [
          groupId,
          topic,
          clusterId,
        ]);
      }
    };
    const recreateTopic = async () => {
      const admin = await kafka.admin();
      await admin.deleteTopics({ topics: [topic] });
      await eventually(async () => expect(await admin.listTopics()).not.toContain(topic), { label: 'topic deleted' });
      await kafka.ensureTopics([source]);
    };
    return { topic, groupId, start, send, effects, errors, storedOrigin, storeOffsets, recreateTopic };
  }

  const clusterId = async () => (await (await kafka.admin()).describeCluster()).clusterId;
  const fiveRecords = ['r0', 'r1', 'r2', 'r3', 'r4'];

  it('handles the records of a deleted and recreated topic, though the stored offsets are past them', async () => {
    const s = await scenario('recreated');
    await s.send(fiveRecords);
    const first = await s.start();
    await eventually(async () => expect(await s.effects()).toEqual(fiveRecords), { label: 'old topic handled' });
    await first.stop();
    await s.recreateTopic();
    await s.send(['n0', 'n1', 'n2']);
    await s.start();
    await eventually(async () => expect(await s.effects()).toEqual([...fiveRecords, 'n0', 'n1', 'n2']), {
      label: 'the new topic handled from its beginning',
      timeout: 30_000,
    });
    expect(s.errors()).toEqual([
      expect.objectContaining({
        group_id: s.groupId,
        topic: s.topic,
        stored_offsets: [{ partition: 0, next_offset: '5' }],
        topic_ends: [{ partition: 0, end_offset: '3' }],
        msg: expect.stringContaining('beyond the end of the topic'),
      }),
    ]);
  });

  it('handles them too when the group already went past them in Kafka, skipping them as already handled', async () => {
    const s = await scenario('recreated-and-skipped');
    await s.send(fiveRecords);
    const first = await s.start();
    await eventually(async () => expect(await s.effects()).toEqual(fiveRecords), { label: 'old topic handled' });
    await first.stop();
    await s.recreateTopic();
    await s.send(['n0', 'n1', 'n2']);
    // What a consumer that trusted the stored offsets left behind: the new records committed in Kafka, unhandled.
    const admin = await kafka.admin();
    await admin.setOffsets({ groupId: s.groupId, topic: s.topic, partitions: [{ partition: 0, offset: '3' }] });
    await s.start();
    await eventually(async () => expect(await s.effects()).toEqual([...fiveRecords, 'n0', 'n1', 'n2']), {
      label: 'the new topic handled from its beginning',
      timeout: 30_000,
    });
  });

  it('starts a topic from its beginning, saying so loudly, when the stored offsets come from another cluster', async () => {
    const s = await scenario('other-cluster');
    await s.send(fiveRecords);
    await s.storeOffsets(2, 'another-cluster');
    await s.start();
    await eventually(async () => expect(await s.effects()).toEqual(fiveRecords), {
      label: 'every record of the topic handled',
    });
    expect(s.errors()).toEqual([
      expect.objectContaining({
        group_id: s.groupId,
        topic: s.topic,
        stored_cluster_id: 'another-cluster',
        cluster_id: await clusterId(),
        msg: expect.stringContaining('another Kafka cluster'),
      }),
    ]);
    expect(await s.storedOrigin()).toBe(await clusterId());
  });

  it('records the cluster of offsets stored before origins were, keeping the offsets', async () => {
    const s = await scenario('no-origin-yet');
    await s.send(fiveRecords);
    await s.storeOffsets(2);
    await s.start();
    await eventually(async () => expect(await s.effects()).toEqual(['r2', 'r3', 'r4']), {
      label: 'records past the stored offset handled',
    });
    expect(s.errors()).toEqual([]);
    expect(await s.storedOrigin()).toBe(await clusterId());
  });
});
