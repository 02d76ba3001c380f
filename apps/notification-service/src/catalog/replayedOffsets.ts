import type { ConsumedRecord, Transaction } from '@afternoon/service-kit';

/**
 * Whether a rebuild replays this record: it was consumed before the rebuild, so its events' deliveries were
 * scheduled then (a second schedule would send them again, and to endpoints made since).
 */
export async function isReplayed(tx: Transaction, record: ConsumedRecord): Promise<boolean> {
  const { rowCount } = await tx.query(
    'SELECT 1 FROM catalog_replayed_offsets WHERE topic = $1 AND partition = $2 AND next_offset > $3',
    [record.topic, record.partition, record.offset],
  );
  return rowCount !== 0;
}

/** `isReplayed` for the records of one fetched batch, with one read per partition among them. */
export async function replayedAmong(tx: Transaction, records: readonly ConsumedRecord[]): Promise<Set<ConsumedRecord>> {
  const replayedBefore = new Map<string, bigint | null>();
  const replayed = new Set<ConsumedRecord>();
  for (const record of records) {
    const partition = `${record.topic}\u0000${record.partition}`;
    if (!replayedBefore.has(partition)) {
      const { rows } = await tx.query<{ next_offset: string }>(
        'SELECT next_offset::text FROM catalog_replayed_offsets WHERE topic = $1 AND partition = $2',
        [record.topic, record.partition],
      );
      replayedBefore.set(partition, rows[0] ? BigInt(rows[0].next_offset) : null);
    }
    const before = replayedBefore.get(partition);
    if (before != null && BigInt(record.offset) < before) replayed.add(record);
  }
  return replayed;
}
