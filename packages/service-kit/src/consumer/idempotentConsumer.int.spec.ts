import { Headers } from '@afternoon/contracts/messaging';
import { collectTopic, eventually, produce } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kitDatabase } from '../../test-fixtures/kitDatabase';
import { kitKafka } from '../../test-fixtures/kitKafka';
import { PoisonRecordError } from '../errors';
import type { Producer } from '../kafka/kafka';
import { createServiceMetrics } from '../metrics';
import {
  type BatchHandler,
  type RecordHandler,
  type RunningConsumer,
  startIdempotentConsumer,
} from './idempotentConsumer';

describe('idempotent consumer', () => {
  let db: Awaited<ReturnType<typeof kitDatabase>>;
  const { kafka, logger } = kitKafka();
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

  async function scenario(name: string, partitions = 1) {
    const topics = {
      source: { name, partitions, retentionMs: -1 },
      dlq: { name: `${name}.dlq`, partitions: 1, retentionMs: -1 },
    };
    await kafka.ensureTopics([topics.source, topics.dlq]);
    const metrics = createServiceMetrics(name);
    const start = async (
      handle: RecordHandler,
      afterRecordCommitted?: (offset: string) => Promise<void>,
      handleBatch?: BatchHandler,
    ) => {
      const consumer = await startIdempotentConsumer({
        kafka,
        pool: db.pool,
        groupId: kafka.topic({ name: `${name}.group`, partitions: 1, retentionMs: 0 }),
        topics: [kafka.topic(topics.source)],
        deadLetterTopic: kafka.topic(topics.dlq),
        producer,
        logger,
        metrics,
        handle,
        afterRecordCommitted,
        ...(handleBatch ? { handleBatch } : {}),
      });
      running.push(consumer);
      await consumer.joined;
      return consumer;
    };
    const send = (values: string[]) =>
      produce(
        kafka.topic(topics.source),
        values.map((value) => ({ key: 'same-key', value })),
      );
    const effects = async () =>
      (
        await db.pool.query<{ payload: string }>('SELECT payload FROM effects WHERE source = $1 ORDER BY id', [name])
      ).rows.map((row) => row.payload);
    const recordEffect: RecordHandler = async (tx, record) => {
      await tx.query('INSERT INTO effects (source, payload) VALUES ($1, $2)', [name, record.value]);
    };
    const recordEffects: BatchHandler = async (tx, records) => {
      await tx.query('INSERT INTO effects (source, payload) SELECT $1, unnest($2::text[])', [
        name,
        records.map((record) => record.value),
      ]);
    };
    const duplicatesSkipped = async () =>
      (await metrics.recordsHandled.get()).values
        .filter((value) => value.labels.outcome === 'duplicate')
        .reduce((sum, value) => sum + value.value, 0);
    return { topics, start, send, effects, recordEffect, recordEffects, duplicatesSkipped };
  }

  const tenRecords = Array.from({ length: 10 }, (_, index) => `r${index}`);

  it('applies each record once when it dies after the database commit and before the offset commit', async () => {
    const s = await scenario('crash-after-commit');
    let crashed = false;
    await s.send(tenRecords);
    await s.start(s.recordEffect, async (offset) => {
      if (offset === '4' && !crashed) {
        crashed = true;
        throw new Error('simulated crash between the Postgres commit and the Kafka offset commit');
      }
    });
    await eventually(async () => expect(await s.effects()).toEqual(tenRecords), {
      label: 'all ten effects',
      timeout: 30_000,
    });
    expect(crashed).toBe(true);
    // Kafka delivered records again that Postgres already held; the stored offsets turned them away.
    expect(await s.duplicatesSkipped()).toBeGreaterThan(0);
  });

  it('applies each record once when it dies before the database commit', async () => {
    const s = await scenario('crash-before-commit');
    let attempts = 0;
    await s.send(tenRecords);
    await s.start(async (tx, record, context) => {
      await s.recordEffect(tx, record, context);
      if (record.value === 'r6' && attempts++ < 2) throw new Error('simulated crash before the Postgres commit');
    });
    await eventually(async () => expect(await s.effects()).toEqual(tenRecords), {
      label: 'all ten effects',
      timeout: 30_000,
    });
    expect(attempts).toBe(3);
  });

  it('resumes in a new instance of the group where the stored offsets say, doubling nothing', async () => {
    const s = await scenario('restart');
    await s.send(tenRecords.slice(0, 5));
    const first = await s.start(s.recordEffect);
    await eventually(async () => expect(await s.effects()).toHaveLength(5));
    await first.stop();
    running.splice(running.indexOf(first), 1);
    await s.send(tenRecords.slice(5));
    await s.start(s.recordEffect);
    await eventually(async () => expect(await s.effects()).toEqual(tenRecords), { label: 'all ten after restart' });
  });

  it('handles again what a database restored from an older backup no longer holds, though Kafka is past it', async () => {
    const s = await scenario('restored');
    await s.send(tenRecords);
    const first = await s.start(s.recordEffect);
    await eventually(async () => expect(await s.effects()).toEqual(tenRecords));
    await first.stop();
    running.splice(running.indexOf(first), 1);
    const groupId = kafka.topic({ name: 'restored.group', partitions: 1, retentionMs: 0 });
    const admin = await kafka.admin();
    await eventually(async () => {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [kafka.topic(s.topics.source)] });
      expect(committed?.partitions[0]?.offset).toBe('10');
    });
    // The backup was taken after the fourth record: its effects and its stored offset say so.
    await db.pool.query(`DELETE FROM effects WHERE source = 'restored' AND payload >= 'r4'`);
    await db.pool.query('UPDATE consumer_offsets SET next_offset = 4 WHERE group_id = $1', [groupId]);
    await s.start(s.recordEffect);
    await eventually(async () => expect(await s.effects()).toEqual(tenRecords), { label: 'r4 to r9 handled again' });
  });

  it('sends a record that can never be handled to the dead-letter topic with the reason, and goes on', async () => {
    const s = await scenario('poison');
    const deadLetters = await collectTopic(kafka.topic(s.topics.dlq));
    await s.send(['good-1', 'poison', 'good-2']);
    await s.start(async (tx, record, context) => {
      if (record.value === 'poison') throw new PoisonRecordError('not a valid record: poison');
      await s.recordEffect(tx, record, context);
    });
    await eventually(async () => expect(await s.effects()).toEqual(['good-1', 'good-2']));
    await eventually(() => expect(deadLetters.messages).toHaveLength(1));
    expect(deadLetters.messages[0]?.value).toBe('poison');
    expect(deadLetters.messages[0]?.headers[Headers.deadLetterReason]).toBe('not a valid record: poison');
    await deadLetters.stop();
  });

  it('in batch mode, applies a batch once when it dies after the batch commit and before the offset commit', async () => {
    const s = await scenario('batch-crash-after-commit');
    let crashed = false;
    let batches = 0;
    await s.send(tenRecords);
    await s.start(
      s.recordEffect,
      async () => {
        if (!crashed) {
          crashed = true;
          throw new Error('simulated crash between the Postgres commit and the Kafka offset commit');
        }
      },
      async (tx, records, context) => {
        batches++;
        await s.recordEffects(tx, records, context);
      },
    );
    await eventually(async () => expect(await s.effects()).toEqual(tenRecords), {
      label: 'all ten effects',
      timeout: 30_000,
    });
    expect(crashed).toBe(true);
    expect(batches).toBeGreaterThan(0);
    // Kafka delivers the committed batch again; the stored offset turns it away, so nothing is doubled.
    await eventually(async () => expect(await s.duplicatesSkipped()).toBeGreaterThan(0), {
      label: 'redelivered batch skipped',
      timeout: 30_000,
    });
    expect(await s.effects()).toEqual(tenRecords);
  });

  it('in batch mode, falls back to one record at a time when a batch fails, isolating the poison record', async () => {
    const s = await scenario('batch-poison');
    const deadLetters = await collectTopic(kafka.topic(s.topics.dlq));
    await s.send(['good-1', 'poison', 'good-2']);
    await s.start(
      async (tx, record, context) => {
        if (record.value === 'poison') throw new PoisonRecordError('not a valid record: poison');
        await s.recordEffect(tx, record, context);
      },
      undefined,
      async (tx, records, context) => {
        if (records.some((record) => record.value === 'poison')) throw new Error('batch holds a poison record');
        await s.recordEffects(tx, records, context);
      },
    );
    await eventually(async () => expect(await s.effects()).toEqual(['good-1', 'good-2']));
    await eventually(() => expect(deadLetters.messages).toHaveLength(1));
    expect(deadLetters.messages[0]?.headers[Headers.deadLetterReason]).toBe('not a valid record: poison');
    await deadLetters.stop();
  });
});
