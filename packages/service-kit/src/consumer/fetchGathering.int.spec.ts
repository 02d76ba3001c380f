import { Headers } from '@afternoon/contracts/messaging';
import { eventually } from '@afternoon/testkit';
import { describe, expect, it } from 'vitest';
import { consumerSpec } from '../../test-fixtures/consumerScenario';
import { PoisonRecordError } from '../errors';
import type { ConsumedRecord } from './records';

// ADR 0040: the batches one fetch brings from several partitions are handled in one transaction.
describe('a fetch gathered into one transaction', () => {
  const { scenario } = consumerSpec();
  const partitionsOf = (records: ConsumedRecord[]) => new Set(records.map((record) => record.partition)).size;
  const byPartition = { 0: ['a-1', 'a-2', 'a-3'], 1: ['b-1', 'b-2'], 2: ['c-1', 'c-2', 'c-3'] };
  const sendAll = async (s: Awaited<ReturnType<typeof scenario>>) => {
    for (const [partition, values] of Object.entries(byPartition)) await s.sendTo(Number(partition), values);
  };

  it('hands the batch handler the records of every partition the fetch brought, once each', async () => {
    const s = await scenario('gathered-fetch', 3);
    await sendAll(s);
    const partitionsPerCall: number[] = [];
    await s.start(s.recordEffect, {
      handleBatch: async (tx, records, context) => {
        partitionsPerCall.push(partitionsOf(records));
        await s.recordEffects(tx, records, context);
      },
    });
    const all = Object.values(byPartition).flat();
    await eventually(async () => expect((await s.effects()).sort()).toEqual([...all].sort()), {
      label: 'every record applied',
      timeout: 30_000,
    });
    // Per partition, each in its own transaction, every call would hold one partition.
    expect(Math.max(...partitionsPerCall)).toBeGreaterThan(1);
    // Each partition's records in the order it holds them.
    const effects = await s.effects();
    for (const values of Object.values(byPartition))
      expect(effects.filter((value) => values.includes(value))).toEqual(values);
  });

  it('when a record refuses the fetch, applies the other partitions whole and only that partition record by record', async () => {
    const s = await scenario('gathered-poison', 3);
    const deadLetters = await s.deadLetters();
    await sendAll(s);
    await s.sendTo(2, ['poison', 'c-4']);
    const handledAlone: string[] = [];
    await s.start(
      async (tx, record, context) => {
        handledAlone.push(`${record.partition}:${record.value}`);
        if (record.value === 'poison') throw new PoisonRecordError('not a valid record: poison');
        await s.recordEffect(tx, record, context);
      },
      { handleBatch: s.recordEffectsUnlessPoison },
    );
    const good = [...Object.values(byPartition).flat(), 'c-4'];
    await eventually(async () => expect((await s.effects()).sort()).toEqual([...good].sort()), {
      label: 'every good record applied',
      timeout: 30_000,
    });
    await eventually(() => expect(deadLetters.messages).toHaveLength(1));
    expect(deadLetters.messages[0]?.headers[Headers.deadLetterReason]).toBe('not a valid record: poison');
    expect(handledAlone.every((entry) => entry.startsWith('2:'))).toBe(true);
    expect(handledAlone).toContain('2:poison');
    await deadLetters.stop();
  });
});
