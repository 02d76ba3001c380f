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
