import { Headers } from '@afternoon/contracts/messaging';
import { eventually } from '@afternoon/testkit';
import { describe, expect, it } from 'vitest';
import { consumerSpec } from '../../test-fixtures/consumerScenario';
import { PoisonRecordError } from '../errors';
import { NotYetError } from '../failures';
import { eachRecordOfBatch, type RecordHandler } from './records';

describe('idempotent consumer', () => {
  const { kafka, pool, scenario } = consumerSpec();

  const tenRecords = Array.from({ length: 10 }, (_, index) => `r${index}`);

  it('applies each record once when it dies after the database commit and before the offset commit', async () => {
    const s = await scenario('crash-after-commit');
    let crashed = false;
    await s.send(tenRecords);
    await s.start(s.recordEffect, {
      afterRecordCommitted: async (offset) => {
        if (offset === '4' && !crashed) {
          crashed = true;
          throw new Error('simulated crash between the Postgres commit and the Kafka offset commit');
        }
      },
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
    await s.stop(first);
    await s.send(tenRecords.slice(5));
    await s.start(s.recordEffect);
    await eventually(async () => expect(await s.effects()).toEqual(tenRecords), { label: 'all ten after restart' });
  });

  it('handles again what a database restored from an older backup no longer holds, though Kafka is past it', async () => {
    const s = await scenario('restored');
    await s.send(tenRecords);
    const first = await s.start(s.recordEffect);
    await eventually(async () => expect(await s.effects()).toEqual(tenRecords));
    await s.stop(first);
    const { groupId } = s;
    const admin = await kafka.admin();
    await eventually(async () => {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [kafka.topic(s.topics.source)] });
      expect(committed?.partitions[0]?.offset).toBe('10');
    });
    // The backup was taken after the fourth record: its effects and its stored offset say so.
    await pool().query(`DELETE FROM effects WHERE source = 'restored' AND payload >= 'r4'`);
    await pool().query('UPDATE consumer_offsets SET next_offset = 4 WHERE group_id = $1', [groupId]);
    await s.start(s.recordEffect);
    await eventually(async () => expect(await s.effects()).toEqual(tenRecords), { label: 'r4 to r9 handled again' });
  });

  it('sends a record that can never be handled to the dead-letter topic with the reason, and goes on', async () => {
    const s = await scenario('poison');
    const deadLetters = await s.deadLetters();
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
    await s.start(s.recordEffect, {
      afterRecordCommitted: async () => {
        if (!crashed) {
          crashed = true;
          throw new Error('simulated crash between the Postgres commit and the Kafka offset commit');
        }
      },
      handleBatch: async (tx, records, context) => {
        batches++;
        await s.recordEffects(tx, records, context);
      },
    });
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
    const deadLetters = await s.deadLetters();
    await s.send(['good-1', 'poison', 'good-2']);
    await s.start(
      async (tx, record, context) => {
        if (record.value === 'poison') throw new PoisonRecordError('not a valid record: poison');
        await s.recordEffect(tx, record, context);
      },
      { handleBatch: s.recordEffectsUnlessPoison },
    );
    await eventually(async () => expect(await s.effects()).toEqual(['good-1', 'good-2']));
    await eventually(() => expect(deadLetters.messages).toHaveLength(1));
    expect(deadLetters.messages[0]?.headers[Headers.deadLetterReason]).toBe('not a valid record: poison');
    await deadLetters.stop();
  });

  it('dead-letters a value the store cannot hold on its first attempt, with the reason, and goes straight on', async () => {
    const s = await scenario('nul-text');
    const deadLetters = await s.deadLetters();
    const attempts = new Map<string | null, number>();
    await s.send(['good-1', 'text with a NUL \u0000', 'good-2']);
    await s.start(async (tx, record, context) => {
      attempts.set(record.value, (attempts.get(record.value) ?? 0) + 1);
      await s.recordEffect(tx, record, context);
    });
    await eventually(async () => expect(await s.effects()).toEqual(['good-1', 'good-2']));
    await eventually(() => expect(deadLetters.messages).toHaveLength(1));
    // Postgres refuses the NUL byte (SQLSTATE class 22): the record's fault, so no retry could ever store it.
    expect(deadLetters.messages[0]?.headers[Headers.deadLetterReason]).toMatch(/0x00/);
    expect(attempts.get('text with a NUL \u0000')).toBe(1);
    expect(await s.retries()).toBe(0);
    await deadLetters.stop();
  });

  it('in batch mode, retries the whole batch while the world fails, instead of handling its records one by one', async () => {
    const s = await scenario('batch-world');
    let batchAttempts = 0;
    let recordsHandledAlone = 0;
    await s.send(tenRecords);
    await s.start(
      async (tx, record, context) => {
        recordsHandledAlone++;
        await s.recordEffect(tx, record, context);
      },
      {
        retryDelay: () => 10,
        handleBatch: async (tx, records, context) => {
          if (++batchAttempts <= 2) throw new NotYetError('customers projection behind');
          await s.recordEffects(tx, records, context);
        },
      },
    );
    await eventually(async () => expect(await s.effects()).toEqual(tenRecords), { label: 'all ten effects' });
    expect(recordsHandledAlone).toBe(0);
    expect(await s.retries()).toBe(2);
  });

  it('with eachRecordOfBatch, handles a fetched batch with the record handler in one transaction, counting each type', async () => {
    const s = await scenario('each-record-of-batch');
    const transactions = new Set<string>();
    const handle: RecordHandler = async (tx, record, context) => {
      const { rows } = await tx.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid');
      transactions.add(rows[0]?.xid ?? '');
      if (record.value === 'r9') return context.skip();
      context.setType('effect');
      await s.recordEffect(tx, record, context);
    };
    await s.send(tenRecords);
    await s.start(handle, { handleBatch: eachRecordOfBatch(handle), traceEachRecord: true });
    await eventually(async () => expect(await s.countOf('unknown_type')).toBe(1), { label: 'all ten handled' });
    expect(await s.effects()).toEqual(tenRecords.slice(0, 9));
    expect(await s.countOf('handled')).toBe(9);
    // Ten records sent before the consumer started come in one fetch or a few: far fewer commits than records.
    expect(transactions.size).toBeLessThan(tenRecords.length / 2);
  });
});
