import type pg from 'pg';
import type { Transaction } from '../postgres/database';
import type { ConsumedRecord } from './records';

/** The next offset the group has stored for each of `partitions` of `topic` (absent: none stored yet). */
export async function storedNextOffsets(
  pool: pg.Pool,
  groupId: string,
  topic: string,
  partitions: readonly number[],
): Promise<Map<number, bigint>> {
  const { rows } = await pool.query<{ partition: number; next_offset: string }>(
    `SELECT partition, next_offset::text FROM consumer_offsets
      WHERE group_id = $1 AND topic = $2 AND partition = ANY($3::int[])`,
    [groupId, topic, partitions],
  );
  return new Map(rows.map((row) => [row.partition, BigInt(row.next_offset)]));
}

/** Records that the group has handled each of `records` and everything before it on its partition. */
export async function storeHandledThrough(
  tx: Transaction,
  groupId: string,
  records: readonly ConsumedRecord[],
): Promise<void> {
  await tx.query(
    `INSERT INTO consumer_offsets (group_id, topic, partition, next_offset, last_record_at)
     SELECT $1, handled.topic, handled.partition, handled.next_offset, to_timestamp(handled.timestamp / 1000.0)
       FROM unnest($2::text[], $3::int[], $4::bigint[], $5::bigint[]) AS handled (topic, partition, next_offset, timestamp)
     ON CONFLICT (group_id, topic, partition) DO UPDATE SET
       last_record_at = CASE WHEN EXCLUDED.next_offset > consumer_offsets.next_offset
                             THEN EXCLUDED.last_record_at ELSE consumer_offsets.last_record_at END,
       next_offset = GREATEST(consumer_offsets.next_offset, EXCLUDED.next_offset),
       updated_at = now()`,
    [
      groupId,
      records.map((record) => record.topic),
      records.map((record) => record.partition),
      records.map((record) => (BigInt(record.offset) + 1n).toString()),
      records.map((record) => record.timestamp),
    ],
  );
}

/** The last of `records` on each partition: what a transaction that handled them all stores as handled. */
export function lastOfEachPartition(records: readonly ConsumedRecord[]): ConsumedRecord[] {
  const last = new Map<string, ConsumedRecord>();
  for (const record of records) last.set(`${record.topic}/${record.partition}`, record);
  return [...last.values()];
}
