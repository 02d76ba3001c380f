import { collectTopic, eventually } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kitDatabase } from '../../test-fixtures/kitDatabase';
import { kitKafka } from '../../test-fixtures/kitKafka';
import { withTransaction } from '../postgres/database';
import { enqueueOutbox } from './outbox';
import { startOutboxRelay } from './outboxRelay';

const spec = { name: 'outbox.backlog', partitions: 1, retentionMs: -1 };
const vacuumed = { name: 'outbox.vacuum', partitions: 1, retentionMs: -1 };
const vacuumedBySize = { name: 'outbox.vacuum.bytes', partitions: 1, retentionMs: -1 };

describe('the outbox table: backlog (afternoon_outbox_backlog) and vacuum', () => {
  let db: Awaited<ReturnType<typeof kitDatabase>>;
  const { kafka, logger } = kitKafka();
  const topic = kafka.topic(spec);
  const vacuumTopic = kafka.topic(vacuumed);
  const bytesTopic = kafka.topic(vacuumedBySize);

  beforeAll(async () => {
    db = await kitDatabase();
    await kafka.ensureTopics([spec, vacuumed, vacuumedBySize]);
  });
  afterAll(async () => {
    await kafka.close();
    await db.drop();
  });

  it('counts the messages waiting while Kafka cannot take them, and none once they are published', async () => {
    await withTransaction(db.pool, (tx) =>
      enqueueOutbox(
        tx,
        db.schema,
        [1, 2, 3].map((n) => ({ topic, key: 'invoice-1', payload: { n } })),
      ),
    );
    const whileDown: number[] = [];
    const brokerDown = startOutboxRelay({
      pool: db.pool,
      schema: db.schema,
      createProducer: () => Promise.reject(new Error('broker unreachable')),
      logger,
      onBacklog: (messages) => whileDown.push(messages),
    });
    await eventually(() => expect(whileDown).toContain(3), { label: 'three messages waiting' });
    await brokerDown.stop();

    const collected = await collectTopic(topic);
    const afterwards: number[] = [];
    const relay = startOutboxRelay({
      pool: db.pool,
      schema: db.schema,
      createProducer: () => kafka.createProducer(),
      logger,
      onBacklog: (messages) => afterwards.push(messages),
    });
    await eventually(() => expect(collected.messages).toHaveLength(3), { label: 'published' });
    await eventually(() => expect(afterwards.at(-1)).toBe(0), { label: 'nothing waiting' });
    await relay.stop();
    await collected.stop();
  });

  /** Manual vacuums of the schema's outbox (autovacuum's own are counted apart, in autovacuum_count). */
  async function vacuums(): Promise<number> {
    const { rows } = await db.pool.query<{ vacuums: string }>(
      "SELECT vacuum_count AS vacuums FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'outbox'",
      [db.schema],
    );
    return Number(rows[0]?.vacuums ?? 0);
  }

  it('vacuums the outbox once it has published as many rows as it is set to, and not before', async () => {
    const collected = await collectTopic(vacuumTopic);
    const relay = startOutboxRelay({
      pool: db.pool,
      schema: db.schema,
      createProducer: () => kafka.createProducer(),
      logger,
      vacuumEvery: { rows: 10 },
    });
    const enqueue = (from: number, count: number) =>
      withTransaction(db.pool, (tx) =>
        enqueueOutbox(
          tx,
          db.schema,
          Array.from({ length: count }, (_, n) => ({ topic: vacuumTopic, key: 'k', payload: { n: from + n } })),
        ),
      );
    await enqueue(0, 6);
    await eventually(() => expect(collected.messages).toHaveLength(6), { label: 'first six published' });
    expect(await vacuums()).toBe(0);

    await enqueue(6, 6);
    await eventually(() => expect(collected.messages).toHaveLength(12), { label: 'twelve published' });
    await eventually(async () => expect(await vacuums()).toBe(1), { label: 'vacuumed after ten' });
    await relay.stop();
    await collected.stop();
  });
  it('vacuums the outbox once it has published as many bytes as it is set to, however few the rows', async () => {
    const collected = await collectTopic(bytesTopic);
    const relay = startOutboxRelay({
      pool: db.pool,
      schema: db.schema,
      createProducer: () => kafka.createProducer(),
      logger,
      vacuumEvery: { rows: 1_000_000, bytes: 5_000 },
    });
    const before = await vacuums();
    // ~1 KB a message: three stay under the 5,000 bytes, six pass them.
    const enqueue = (from: number, count: number) =>
      withTransaction(db.pool, (tx) =>
        enqueueOutbox(
          tx,
          db.schema,
          Array.from({ length: count }, (_, n) => ({
            topic: bytesTopic,
            key: 'k',
            payload: { n: from + n, note: 'x'.repeat(1_000) },
          })),
        ),
      );
    await enqueue(0, 3);
    await eventually(() => expect(collected.messages).toHaveLength(3), { label: 'three published' });
    expect(await vacuums()).toBe(before);

    await enqueue(3, 3);
    await eventually(() => expect(collected.messages).toHaveLength(6), { label: 'six published' });
    await eventually(async () => expect(await vacuums()).toBe(before + 1), { label: 'vacuumed after 5,000 bytes' });
    await relay.stop();
    await collected.stop();
  });
});
