import { type CollectedMessage, collectTopic, dropTopics, eventually } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kitDatabase } from '../../test-fixtures/kitDatabase';
import { kitKafka } from '../../test-fixtures/kitKafka';
import type { Producer } from '../kafka/kafka';
import { withTransaction } from '../postgres/database';
import { enqueueOutbox, type OutboxMessage } from './outbox';
import { encodedSize, maxRequestBytes } from './outboxBatches';
import { type OutboxRelay, startOutboxRelay } from './outboxRelay';

const events = { name: 'outbox.limits.events', partitions: 3, retentionMs: -1 };
const replies = { name: 'outbox.limits.replies', partitions: 1, retentionMs: -1 };
const strict = { name: 'outbox.limits.strict', partitions: 3, retentionMs: -1 };
const kib = 1024;

describe('outbox relay under the broker message limit', () => {
  let db: Awaited<ReturnType<typeof kitDatabase>>;
  const { kafka, logger } = kitKafka();
  const eventsTopic = kafka.topic(events);
  const repliesTopic = kafka.topic(replies);
  const strictTopic = kafka.topic(strict);
  const relays: OutboxRelay[] = [];
  /** Record bytes of each produce request the relay made. */
  const requestBytes: number[] = [];
  const setAside: string[] = [];

  async function measuredProducer(): Promise<Producer> {
    const producer = await kafka.createProducer();
    return {
      ...producer,
      sendBatch(batch) {
        const messages = batch.topicMessages?.flatMap((topic) => topic.messages) ?? [];
        requestBytes.push(
          messages.reduce(
            (sum, { key, headers, value }) =>
              sum +
              encodedSize({
                key: (key as string | null) ?? null,
                headers: (headers ?? {}) as Record<string, string>,
                value: value as string,
              }),
            0,
          ),
        );
        return producer.sendBatch(batch);
      },
    };
  }

  function start(): OutboxRelay {
    const relay = startOutboxRelay({
      pool: db.pool,
      schema: db.schema,
      createProducer: measuredProducer,
      logger,
      publishLast: [repliesTopic],
      onSetAside: (topic) => setAside.push(topic),
    });
    relays.push(relay);
    return relay;
  }

  async function enqueue(messages: OutboxMessage[]): Promise<void> {
    await withTransaction(db.pool, (tx) => enqueueOutbox(tx, db.schema, messages));
  }

  async function outboxIsEmpty(): Promise<void> {
    expect((await db.pool.query('SELECT 1 FROM outbox')).rowCount).toBe(0);
  }

  const numbersOf = (messages: CollectedMessage[], key: string) =>
    messages.filter((message) => message.key === key).map((message) => JSON.parse(message.value!).n as number);

  beforeAll(async () => {
    db = await kitDatabase();
    await kafka.ensureTopics([events, replies]);
    // A topic whose broker limit sits below the relay's own bound, so a whole request can be refused.
    await (await kafka.admin()).createTopics({
      waitForLeaders: false,
      topics: [
        {
          topic: strictTopic,
          numPartitions: strict.partitions,
          configEntries: [{ name: 'max.message.bytes', value: String(64 * kib) }],
        },
      ],
    });
    await kafka.ensureTopics([strict]);
  });
  afterAll(async () => {
    await Promise.all(relays.map((relay) => relay.stop()));
    await kafka.close();
    await db.drop();
    await dropTopics(eventsTopic.slice(0, -events.name.length));
  });

  it('publishes 300 messages of 20 KiB completely, in order per key, in requests under the limit', async () => {
    const keys = ['customer-a', 'customer-b', 'customer-c', 'customer-d', 'customer-e'];
    await enqueue(
      Array.from({ length: 300 }, (_, n) => ({
        topic: eventsTopic,
        key: keys[n % keys.length] as string,
        payload: { n, filler: 'x'.repeat(20 * kib) },
      })),
    );
    const collected = await collectTopic(eventsTopic);
    const relay = start();

    await eventually(() => expect(collected.messages).toHaveLength(300), { label: 'all 300 published' });
    for (const [index, key] of keys.entries()) {
      expect(numbersOf(collected.messages, key)).toEqual(Array.from({ length: 60 }, (_, i) => i * keys.length + index));
    }
    // 300 × ~20 KiB ≈ 5.9 MiB: at least 12 requests of at most 512 KiB.
    expect(requestBytes.length).toBeGreaterThanOrEqual(12);
    expect(Math.max(...requestBytes)).toBeLessThanOrEqual(maxRequestBytes);
    await eventually(outboxIsEmpty, { label: 'outbox emptied' });
    await relay.stop();
    await collected.stop();
  });

  it('sets a message the broker refuses aside, answers its reply with an error, and publishes the rest', async () => {
    const collectedEvents = await collectTopic(eventsTopic);
    const collectedReplies = await collectTopic(repliesTopic);
    const tooLarge = 'x'.repeat(2 * kib * kib);
    const small = (n: number): OutboxMessage => ({ topic: eventsTopic, key: 'invoice-1', payload: { n } });
    await enqueue([small(1001), small(1002)]);
    await enqueue([
      { topic: eventsTopic, key: 'invoice-1', payload: { n: 1003, lines: tooLarge } },
      {
        topic: repliesTopic,
        key: 'correlation-1',
        payload: { correlation_id: 'correlation-1', command_id: 'command-1', ok: true, result: { lines: tooLarge } },
      },
    ]);
    await enqueue([small(1004), small(1005)]);
    const relay = start();

    await eventually(() => expect(numbersOf(collectedEvents.messages, 'invoice-1')).toEqual([1001, 1002, 1004, 1005]), {
      label: 'the messages around the refused one published',
    });
    await eventually(() => expect(collectedReplies.messages).toHaveLength(1), { label: 'an error reply' });
    expect(JSON.parse(collectedReplies.messages[0]!.value!)).toMatchObject({
      command_id: 'command-1',
      correlation_id: 'correlation-1',
      ok: false,
      error: { code: 'INTERNAL_ERROR' },
    });
    const failed = await db.pool.query<{ topic: string; size_bytes: number; reason: string; payload: { n?: number } }>(
      'SELECT topic, size_bytes, reason, payload FROM outbox_failed ORDER BY position',
    );
    expect(failed.rows.map((row) => row.topic)).toEqual([eventsTopic, repliesTopic]);
    expect(failed.rows[0]?.payload.n).toBe(1003);
    expect(failed.rows.every((row) => row.size_bytes > 2 * kib * kib && row.reason.includes('MESSAGE_TOO_LARGE'))).toBe(
      true,
    );
    expect(setAside).toEqual([eventsTopic, repliesTopic]);
    await eventually(outboxIsEmpty, { label: 'outbox emptied' });
    await relay.stop();
    await collectedEvents.stop();
    await collectedReplies.stop();
  });

  it('splits a request the broker refuses as a whole and publishes every message of it', async () => {
    const keys = ['meter-a', 'meter-b', 'meter-c', 'meter-d', 'meter-e', 'meter-f'];
    const collected = await collectTopic(strictTopic);
    await enqueue(
      Array.from({ length: 60 }, (_, n) => ({
        topic: strictTopic,
        key: keys[n % keys.length] as string,
        payload: { n, filler: 'x'.repeat(20 * kib) },
      })),
    );
    const relay = start();

    // A request refused in part may be resent whole (at-least-once): the first sight of each number counts.
    const firstSeen = (key: string) => [...new Set(numbersOf(collected.messages, key))];
    await eventually(() => expect(keys.flatMap(firstSeen)).toHaveLength(60), {
      label: 'all 60 published',
      timeout: 30_000,
    });
    for (const [index, key] of keys.entries()) {
      expect(firstSeen(key)).toEqual(Array.from({ length: 10 }, (_, i) => i * keys.length + index));
    }
    expect((await db.pool.query('SELECT 1 FROM outbox_failed WHERE topic = $1', [strictTopic])).rowCount).toBe(0);
    await eventually(outboxIsEmpty, { label: 'outbox emptied' });
    await relay.stop();
    await collected.stop();
  });
});
