import { eventually } from '@afternoon/testkit';
import { describe, expect, it } from 'vitest';
import { consumerSpec } from '../../test-fixtures/consumerScenario';
import { NotYetError } from '../failures';
import { withTransaction } from '../postgres/database';
import type { ConsumedRecord } from './records';
import { KnownOffsets } from './storedOffsets';

const tenRecords = Array.from({ length: 10 }, (_, index) => `r${index}`);

/** A record of partition 0 of `topic` at `offset`, as the consumer hands one over. */
const recordAt = (topic: string, offset: number): ConsumedRecord => ({
  topic,
  partition: 0,
  offset: String(offset),
  key: null,
  value: `r${offset}`,
  headers: {},
  timestamp: String(Date.parse('2026-12-07T00:00:00Z')),
});

describe('stored offsets, compared and set', () => {
  const { kafka, pool, scenario } = consumerSpec();

  it('rolls back a batch whose partition another member stored past meanwhile, and applies nothing twice', async () => {
    const s = await scenario('offsets-moved');
    const topic = kafka.topic(s.topics.source);
    let calls = 0;
    await s.send(tenRecords);
    await s.start(s.recordEffect, {
      handleBatch: async (tx, records, context) => {
        calls++;
        if (calls === 1) {
          // Another member (a zombie of the group, say) handles the same records and stores past them first.
          await pool().query('INSERT INTO effects (source, payload) SELECT $1, unnest($2::text[])', [
            'offsets-moved',
            tenRecords,
          ]);
          await pool().query(
            'INSERT INTO consumer_offsets (group_id, topic, partition, next_offset) VALUES ($1, $2, 0, 10)',
            [s.groupId, topic],
          );
        }
        await s.recordEffects(tx, records, context);
      },
    });
    await eventually(async () => expect(await s.countOf('handled')).toBe(10), { label: 'the batch settled' });
    expect(await s.effects()).toEqual(tenRecords);
    expect(await s.retries()).toBeGreaterThan(0);
    // The retry read the offsets again and found nothing pending: the handler was not called with the records again.
    expect(calls).toBe(1);
  });

  it('reads each partition once, then trusts what its own stores left, and forgets it when a store finds otherwise', async () => {
    const s = await scenario('offsets-known');
    const topic = kafka.topic(s.topics.source);
    const offsets = new KnownOffsets(s.groupId);
    expect(await offsets.of(pool(), topic, [0])).toEqual(new Map([[0, null]]));
    await withTransaction(pool(), (tx) => offsets.store(tx, [recordAt(topic, 4)], new Map([[0, null]])));
    offsets.committed([recordAt(topic, 4)]);
    // Changed behind its back: the view still answers what its own store left, without reading.
    await pool().query('UPDATE consumer_offsets SET next_offset = 8 WHERE group_id = $1', [s.groupId]);
    const known = await offsets.of(pool(), topic, [0]);
    expect(known).toEqual(new Map([[0, 5n]]));

    const stale = withTransaction(pool(), async (tx) => {
      await tx.query('INSERT INTO effects (source, payload) VALUES ($1, $2)', ['offsets-known', 'r5']);
      await offsets.store(tx, [recordAt(topic, 5)], known);
    });
    await expect(stale).rejects.toBeInstanceOf(NotYetError);
    expect(await s.effects()).toEqual([]);
    expect(await offsets.of(pool(), topic, [0])).toEqual(new Map([[0, 8n]]));

    // A partition expected to have nothing stored, which has: refused as well.
    const other = new KnownOffsets(s.groupId);
    const none = new Map([[0, null]]);
    await expect(withTransaction(pool(), (tx) => other.store(tx, [recordAt(topic, 9)], none))).rejects.toBeInstanceOf(
      NotYetError,
    );
  });
});
