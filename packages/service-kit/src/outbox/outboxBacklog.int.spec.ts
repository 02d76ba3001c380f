import { collectTopic, eventually } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kitDatabase } from '../../test-fixtures/kitDatabase';
import { kitKafka } from '../../test-fixtures/kitKafka';
import { withTransaction } from '../postgres/database';
import { enqueueOutbox } from './outbox';
import { startOutboxRelay } from './outboxRelay';

const spec = { name: 'outbox.backlog', partitions: 1, retentionMs: -1 };

describe('outbox backlog (afternoon_outbox_backlog)', () => {
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
});
