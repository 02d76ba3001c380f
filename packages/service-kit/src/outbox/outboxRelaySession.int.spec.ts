import { fileURLToPath } from 'node:url';
import { collectTopic, dropTopics, eventually, startPrivatePostgres } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kitDatabase } from '../../test-fixtures/kitDatabase';
import { kitKafka } from '../../test-fixtures/kitKafka';
import { createPool, withTransaction } from '../postgres/database';
import { migrate } from '../postgres/migrate';
import { enqueueOutbox, outboxChannel } from './outbox';
import { type OutboxRelay, startOutboxRelay } from './outboxRelay';

const fixtureMigrations = fileURLToPath(new URL('../../test-fixtures/migrations', import.meta.url));
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

  async function enqueue(n: number, pool = db.pool, schema = db.schema): Promise<void> {
    await withTransaction(pool, (tx) => enqueueOutbox(tx, schema, [{ topic, key: 'invoice-1', payload: { n } }]));
  }

  /** The backends of the relay's held session: connections whose last statement was this schema's LISTEN. */
  async function listeningBackends(pool = db.pool, schema = db.schema): Promise<number[]> {
    const { rows } = await pool.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = $1',
      [`LISTEN ${outboxChannel(schema)}`],
    );
    return rows.map((row) => row.pid);
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

    const [terminated] = await listeningBackends();
    expect(terminated).toBeDefined();
    await db.pool.query('SELECT pg_terminate_backend($1)', [terminated]);
    await eventually(
      async () => {
        const listening = await listeningBackends();
        expect(listening).toHaveLength(1);
        expect(listening).not.toContain(terminated);
      },
      { label: 'listening again on a new session' },
    );
    expect(relay.isLeader()).toBe(true);

    await enqueue(2);
    await eventually(() => expect(collected.messages.map((message) => JSON.parse(message.value!).n)).toEqual([1, 2]), {
      label: 'published after',
    });
    await collected.stop();
  });

  it('survives a Postgres crash and restart and publishes what is queued after it', async () => {
    const postgres = await startPrivatePostgres();
    const schema = 'outbox_restart';
    const pool = createPool({ url: postgres.url, schema, applicationName: 'outbox-restart-test' });
    // The pool's idle clients are not the relay's to watch; this test only asks about the relay's own session.
    pool.on('error', () => undefined);
    await migrate(pool, schema, fixtureMigrations);
    const collected = await collectTopic(topic);
    const restarted = startOutboxRelay({ pool, schema, createProducer: () => kafka.createProducer(), logger });
    try {
      await enqueue(10, pool, schema);
      await eventually(() => expect(collected.messages.map((message) => JSON.parse(message.value!).n)).toContain(10), {
        label: 'published before the crash',
      });

      await postgres.restart('immediate');
      await eventually(() => enqueue(11, pool, schema), { label: 'Postgres back', timeout: 30_000 });
      await eventually(() => expect(collected.messages.map((message) => JSON.parse(message.value!).n)).toContain(11), {
        label: 'published after the restart',
        timeout: 30_000,
      });
      await eventually(async () => expect(await listeningBackends(pool, schema)).toHaveLength(1), {
        label: 'listening again after the restart',
      });
    } finally {
      await restarted.stop();
      await collected.stop();
      await pool.end();
      await postgres.destroy();
    }
  });
});
