import { collectTopic, dropTopics, eventually } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kitDatabase } from '../../test-fixtures/kitDatabase';
import { kitKafka } from '../../test-fixtures/kitKafka';
import { withTransaction } from '../postgres/database';
import { enqueueOutbox, outboxChannel } from './outbox';
import { type OutboxRelay, startOutboxRelay } from './outboxRelay';

const spec = { name: 'outbox.session', partitions: 1, retentionMs: -1 };

describe('outbox relay whose held connection is dropped', () => {
  let db: Awaited<ReturnType<typeof kitDatabase>>;
  const { kafka, logger } = kitKafka();
  const topic = kafka.topic(spec);
  let relay: OutboxRelay | undefined;

  beforeAll(async () => {
    db = await kitDatabase();
    await kafka.ensureTopics([spec]);
  });
  afterAll(async () => {
    await relay?.stop();
    await kafka.close();
    await db.drop();
    await dropTopics(topic.slice(0, -spec.name.length));
  });

  async function enqueue(n: number): Promise<void> {
    await withTransaction(db.pool, (tx) => enqueueOutbox(tx, db.schema, [{ topic, key: 'invoice-1', payload: { n } }]));
  }

  /** The backend of the relay's held session: the one connection of this schema that ran LISTEN last. */
  async function listeningBackend(): Promise<number> {
    const { rows } = await db.pool.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = $1',
      [`LISTEN ${outboxChannel(db.schema)}`],
    );
    expect(rows).toHaveLength(1);
    return (rows[0] as { pid: number }).pid;
  }

  it('survives its LISTEN backend being terminated, takes the lead again and publishes', async () => {
    const collected = await collectTopic(topic);
    relay = startOutboxRelay({
      pool: db.pool,
      schema: db.schema,
      createProducer: () => kafka.createProducer(),
      logger,
    });
    await enqueue(1);
    await eventually(() => expect(collected.messages).toHaveLength(1), { label: 'published before' });

    const terminated = await listeningBackend();
    await db.pool.query('SELECT pg_terminate_backend($1)', [terminated]);
    await eventually(async () => expect(await listeningBackend()).not.toBe(terminated), {
      label: 'listening again on a new session',
    });
    expect(relay.isLeader()).toBe(true);

    await enqueue(2);
    await eventually(() => expect(collected.messages.map((message) => JSON.parse(message.value!).n)).toEqual([1, 2]), {
      label: 'published after',
    });
    await collected.stop();
  });
});
