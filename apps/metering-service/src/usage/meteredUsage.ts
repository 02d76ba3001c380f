import { isoInstant } from '@afternoon/contracts/isoInstant';
import {
  type MeteredEvent,
  type MeteredUsageRecord,
  maxMeteredEventsPerRecord,
} from '@afternoon/contracts/meteredUsage';
import type { UsageRecord } from '@afternoon/contracts/usage';
import { type ConsumedRecord, enqueueOutbox, type Transaction, usageIdOf } from '@afternoon/service-kit';
import type { BatchMeter } from '../meters/rollups/ingestRollup';
import { meteredQuantities } from './meteredQuantities';
import type { ParsedUsage } from './meterUsage';

/**
 * Bytes of events per record: one record, alone in a produce request, stays far under the broker's 1 MiB limit even
 * with a meter or two of long group values per event.
 */
export const maxMeteredRecordBytes = 256 * 1024;

/**
 * Queues, in the storing transaction, one `MeteredUsageRecord` per customer and batch on `usage.metered` for the
 * events stored now, each with what every active meter counting it (of `meters`, locked for the batch) takes from it. Events stored again by a replay
 * after a rebuild (from records before the partition's `usage_metered_through`) were told about already: skipped.
 */
export async function queueMeteredUsage(
  tx: Transaction,
  target: { schema: string; meteredTopic: string },
  records: readonly ConsumedRecord[],
  stored: readonly ParsedUsage[],
  meters: readonly BatchMeter[],
): Promise<void> {
  const unpublished = await notYetPublished(tx, records, stored);
  if (unpublished.length === 0) return;
  const byCustomer = new Map<string, { usage: UsageRecord; events: MeteredEvent[] }>();
  for (const { usage, receivedAt } of unpublished) {
    const customer = `${usage.organization_id}\u0000${usage.mode}\u0000${usage.customer_id}`;
    const entry = byCustomer.get(customer) ?? { usage, events: [] };
    entry.events.push({
      usage_id: usageIdOf(usage.organization_id, usage.mode, usage.idempotency_key),
      idempotency_key: usage.idempotency_key,
      event_name: usage.event_name,
      timestamp: isoInstant(Date.parse(usage.timestamp)),
      received_at: receivedAt,
      meters: meteredQuantities(meters, usage),
    });
    byCustomer.set(customer, entry);
  }
  const messages = [...byCustomer.values()].flatMap(({ usage, events }) =>
    cutIntoRecords(events).map((chunk) => ({
      topic: target.meteredTopic,
      key: usage.customer_id,
      payload: {
        organization_id: usage.organization_id,
        mode: usage.mode,
        customer_id: usage.customer_id,
        events: chunk,
      } satisfies MeteredUsageRecord,
    })),
  );
  await enqueueOutbox(tx, target.schema, messages);
}

/**
 * The stored entries from records at or past their partition's mark, moving every partition's mark past the batch.
 * A partition is consumed by one member at a time, and the mark is read and moved in the storing transaction.
 */
async function notYetPublished(
  tx: Transaction,
  records: readonly ConsumedRecord[],
  stored: readonly ParsedUsage[],
): Promise<ParsedUsage[]> {
  const nextOffsets = new Map<string, { topic: string; partition: number; next: bigint }>();
  for (const { topic, partition, offset } of records) {
    const key = `${topic}/${partition}`;
    const next = BigInt(offset) + 1n;
    const known = nextOffsets.get(key);
    if (!known || known.next < next) nextOffsets.set(key, { topic, partition, next });
  }
  const marks = [...nextOffsets.values()];
  if (marks.length === 0) return [];
  // One statement: its parts share a snapshot, so the marks it answers are the ones from before it moved them.
  const { rows } = await tx.query<{ topic: string; partition: number; next_offset: string }>(
    `WITH marks (topic, partition, next_offset) AS (SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[])),
          moved AS (
            INSERT INTO usage_metered_through (topic, partition, next_offset) SELECT * FROM marks
            ON CONFLICT (topic, partition) DO UPDATE
              SET next_offset = greatest(usage_metered_through.next_offset, EXCLUDED.next_offset))
     SELECT topic, partition, told.next_offset::text
       FROM usage_metered_through told JOIN marks USING (topic, partition)`,
    [marks.map((mark) => mark.topic), marks.map((mark) => mark.partition), marks.map((mark) => String(mark.next))],
  );
  const published = new Map(rows.map((row) => [`${row.topic}/${row.partition}`, BigInt(row.next_offset)]));
  return stored.filter(({ record }) => {
    const mark = published.get(`${record.topic}/${record.partition}`);
    return mark === undefined || BigInt(record.offset) >= mark;
  });
}

/** The events in order, cut into records of at most `maxMeteredEventsPerRecord` events and `maxMeteredRecordBytes`. */
export function cutIntoRecords(events: readonly MeteredEvent[]): MeteredEvent[][] {
  const cut: MeteredEvent[][] = [];
  let current: MeteredEvent[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = Buffer.byteLength(JSON.stringify(event));
    if (current.length > 0 && (current.length === maxMeteredEventsPerRecord || bytes + size > maxMeteredRecordBytes)) {
      cut.push(current);
      current = [];
      bytes = 0;
    }
    current.push(event);
    bytes += size;
  }
  if (current.length > 0) cut.push(current);
  return cut;
}
