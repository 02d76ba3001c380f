import type pg from 'pg';
import { NotYetError } from '../failures';
import { type Queryable, type Transaction, withTransaction } from '../postgres/database';
import type { ConsumedRecord } from './records';

/** Each partition's stored next offset, null where the group has stored none yet. */
export type StoredOffsets = ReadonlyMap<number, bigint | null>;

/**
 * A member's view of its group's stored offsets: what it read, then what its own transactions stored. Each store
 * is a compare-and-set against that view, so the view never has to be read again while the member keeps its
 * partitions. A store that finds another value (another member handled the partition meanwhile, or an ambiguous
 * `COMMIT` had gone through) rolls its transaction back and forgets the view: the retry reads the offsets again
 * and handles only what is still pending.
 */
export class KnownOffsets {
  private readonly known = new Map<string, bigint | null>();

  constructor(private readonly groupId: string) {}

  /** The stored next offsets of `partitions` of `topic`: from the view, reading (with `db`) those not in it. */
  async of(db: Queryable, topic: string, partitions: readonly number[]): Promise<StoredOffsets> {
    const unknown = partitions.filter((partition) => !this.known.has(nameOf(topic, partition)));
    if (unknown.length > 0) {
      const { rows } = await db.query<{ partition: number; next_offset: string }>(
        `SELECT partition, next_offset::text FROM consumer_offsets
          WHERE group_id = $1 AND topic = $2 AND partition = ANY($3::int[])`,
        [this.groupId, topic, unknown],
      );
      const read = new Map(rows.map((row) => [row.partition, BigInt(row.next_offset)]));
      for (const partition of unknown) this.known.set(nameOf(topic, partition), read.get(partition) ?? null);
    }
    return new Map(partitions.map((partition) => [partition, this.known.get(nameOf(topic, partition)) ?? null]));
  }

  /**
   * Stores, in `tx`, that the group handled each of `records` (the last of each partition) and everything before it,
   * if each partition's offset is still what `expected` says; otherwise forgets the view and throws `NotYetError`.
   */
  async store(tx: Transaction, records: readonly ConsumedRecord[], expected: StoredOffsets): Promise<void> {
    const { rows } = await tx.query<{ stored: number }>(compareAndSetSql, [
      this.groupId,
      records.map((record) => record.topic),
      records.map((record) => record.partition),
      records.map((record) => (BigInt(record.offset) + 1n).toString()),
      records.map((record) => record.timestamp),
      records.map((record) => expected.get(record.partition)?.toString() ?? null),
    ]);
    if (rows[0]?.stored === records.length) return;
    this.forget();
    throw new NotYetError('the stored offsets moved since they were read; reading them again');
  }

  /**
   * In one transaction: the records of `records` (one topic) not handled yet, given to `work`, and their offsets
   * stored by compare-and-set; once it commits, the view moves past them. Answers the records handled now (none
   * when every one was handled before).
   */
  async applyPending(
    pool: pg.Pool,
    records: readonly ConsumedRecord[],
    work: (tx: Transaction, pending: ConsumedRecord[]) => Promise<void>,
  ): Promise<ConsumedRecord[]> {
    const [first] = records;
    if (!first) return [];
    const partitions = [...new Set(records.map((record) => record.partition))];
    const pending = await withTransaction(pool, async (tx) => {
      const expected = await this.of(tx, first.topic, partitions);
      const unhandled = records.filter((record) => isPending(record, expected));
      if (unhandled.length === 0) return [];
      await work(tx, unhandled);
      await this.store(tx, lastOfEachPartition(unhandled), expected);
      return unhandled;
    });
    this.committed(lastOfEachPartition(pending));
    return pending;
  }

  /** After the transaction that stored `records` committed: the view moves past them. */
  committed(records: readonly ConsumedRecord[]): void {
    for (const record of records) this.known.set(nameOf(record.topic, record.partition), BigInt(record.offset) + 1n);
  }

  /** Forgets the view: after a rebalance, or when a store found it out of date. */
  forget(): void {
    this.known.clear();
  }
}

const nameOf = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/** Moves each partition from its expected offset (or, expected none, starts it); answers how many it stored. */
const compareAndSetSql = `
  WITH handled (topic, partition, next_offset, last_record_at, expected) AS (
         SELECT topic, partition, next_offset, to_timestamp(timestamp / 1000.0), expected
           FROM unnest($2::text[], $3::int[], $4::bigint[], $5::bigint[], $6::bigint[])
             AS handled (topic, partition, next_offset, timestamp, expected)),
       moved AS (
         UPDATE consumer_offsets stored
            SET next_offset = handled.next_offset, last_record_at = handled.last_record_at, updated_at = now()
           FROM handled
          WHERE stored.group_id = $1 AND stored.topic = handled.topic AND stored.partition = handled.partition
            AND stored.next_offset = handled.expected
         RETURNING 1),
       started AS (
         INSERT INTO consumer_offsets (group_id, topic, partition, next_offset, last_record_at)
         SELECT $1, topic, partition, next_offset, last_record_at FROM handled WHERE expected IS NULL
         ON CONFLICT DO NOTHING
         RETURNING 1)
  SELECT ((SELECT count(*) FROM moved) + (SELECT count(*) FROM started))::int AS stored`;

/** Whether `record` is past what its partition has stored: not handled yet. */
export function isPending(record: ConsumedRecord, stored: StoredOffsets): boolean {
  const next = stored.get(record.partition);
  return next === null || next === undefined || BigInt(record.offset) >= next;
}

/** The last of `records` on each partition: what a transaction that handled them all stores as handled. */
export function lastOfEachPartition(records: readonly ConsumedRecord[]): ConsumedRecord[] {
  const last = new Map<string, ConsumedRecord>();
  for (const record of records) last.set(`${record.topic}/${record.partition}`, record);
  return [...last.values()];
}
