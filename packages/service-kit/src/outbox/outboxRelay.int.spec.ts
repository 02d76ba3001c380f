import { collectTopic, eventually } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kitDatabase } from '../../test-fixtures/kitDatabase';
import { kitKafka } from '../../test-fixtures/kitKafka';
import { withTransaction } from '../postgres/database';
import { enqueueOutbox } from './outbox';
import { type OutboxRelay, startOutboxRelay } from './outboxRelay';

const spec = { name: 'outbox.test', partitions: 3, retentionMs: -1 };

describe('outbox relay', () => {
  let db: Awaited<ReturnType<typeof kitDatabase>>;
  const { kafka, logger } = kitKafka();
  const relays: OutboxRelay[] = [];
  const topic = kafka.topic(spec);

  beforeAll(async () => {
    db = await kitDatabase();
    await kafka.ensureTopics([spec]);
  });
  afterAll(async () => {
    await Promise.all(relays.map((relay) => relay.stop()));
    await kafka.close();
    await db.drop();
  });

  it('publishes what committed, keyed and in order, skips what rolled back, and has one leader', async () => {
    const collected = await collectTopic(topic);
    relays.push(
      startOutboxRelay({ pool: db.pool, schema: db.schema, createProducer: () => kafka.createProducer(), logger }),
    );
    relays.push(
      startOutboxRelay({ pool: db.pool, schema: db.schema, createProducer: () => kafka.createProducer(), logger }),
    );

    for (let n = 1; n <= 5; n++) {
      await withTransaction(db.pool, (tx) =>
        enqueueOutbox(tx, db.schema, [{ topic, key: 'stream-1', headers: { n: String(n) }, payload: { n } }]),
      );
    }
    await withTransaction(db.pool, async (tx) => {
      await enqueueOutbox(tx, db.schema, [{ topic, key: 'stream-1', payload: { n: 'rolled back' } }]);
      throw new Error('abort');
    }).catch(() => undefined);
    await withTransaction(db.pool, (tx) =>
      enqueueOutbox(tx, db.schema, [{ topic, key: 'stream-1', payload: { n: 6 } }]),
    );

    await eventually(() => expect(collected.messages).toHaveLength(6), { label: 'six messages published' });
    expect(collected.messages.map((message) => JSON.parse(message.value!).n)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(collected.messages.every((message) => message.key === 'stream-1')).toBe(true);
    expect(collected.messages[0]?.headers.n).toBe('1');
    expect(relays.filter((relay) => relay.isLeader())).toHaveLength(1);
    await eventually(async () => expect((await db.pool.query('SELECT 1 FROM outbox')).rowCount).toBe(0));
    await collected.stop();
  });

  it('hands leadership over when the leader stops', async () => {
    const collected = await collectTopic(topic);
    const leader = relays.find((relay) => relay.isLeader())!;
    await leader.stop();
    relays.splice(relays.indexOf(leader), 1);
    await withTransaction(db.pool, (tx) =>
      enqueueOutbox(tx, db.schema, [{ topic, key: 'k', payload: { n: 'after' } }]),
    );
    await eventually(
      () => expect(collected.messages.map((message) => JSON.parse(message.value!).n)).toContain('after'),
      { label: 'the other relay took over' },
    );
    expect(relays[0]?.isLeader()).toBe(true);
    await collected.stop();
  });
});
