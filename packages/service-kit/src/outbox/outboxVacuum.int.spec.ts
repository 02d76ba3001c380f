import { collectTopic, eventually } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kitDatabase } from '../../test-fixtures/kitDatabase';
import { kitKafka } from '../../test-fixtures/kitKafka';
import { withTransaction } from '../postgres/database';
import { enqueueOutbox } from './outbox';
import { startOutboxRelay } from './outboxRelay';

const spec = { name: 'outbox.vacuum', partitions: 1, retentionMs: -1 };

describe('outbox vacuum', () => {
  let db: Awaited<ReturnType<typeof kitDatabase>>;
  const { kafka, logger } = kitKafka();
  const topic = kafka.topic(spec);

  beforeAll(async () => {
    db = await kitDatabase();
    await kafka.ensureTopics([spec]);
  });
  afterAll(async () => {
    await kafka.close();
    await db.drop();
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
    const collected = await collectTopic(topic);
    const relay = startOutboxRelay({
      pool: db.pool,
      schema: db.schema,
      createProducer: () => kafka.createProducer(),
      logger,
      vacuumEveryRows: 10,
    });
    const enqueue = (from: number, count: number) =>
      withTransaction(db.pool, (tx) =>
        enqueueOutbox(
          tx,
          db.schema,
          Array.from({ length: count }, (_, n) => ({ topic, key: 'k', payload: { n: from + n } })),
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
});
