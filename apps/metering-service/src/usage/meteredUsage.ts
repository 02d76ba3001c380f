import {
  type MeteredEvent,
  type MeteredQuantity,
  type MeteredUsageRecord,
  maxMeteredEventsPerRecord,
} from '@afternoon/contracts/meteredUsage';
import type { Aggregation } from '@afternoon/contracts/meters';
import type { UsageRecord } from '@afternoon/contracts/usage';
import { type ConsumedRecord, enqueueOutbox, type Transaction, usageIdOf } from '@afternoon/service-kit';
import { passesFiltersSql } from '../meters/rollups/rollupSql';
import { normalizeDecimal } from './exactDecimal';
import type { ParsedUsage } from './meterUsage';

/**
 * Bytes of events per record: one record, alone in a produce request, stays far under the broker's 1 MiB limit even
 * with a meter or two of long group values per event.
 */
export const maxMeteredRecordBytes = 256 * 1024;

/**
 * Queues, in the storing transaction, one `MeteredUsageRecord` per customer and batch on `usage.metered` for the
 * events stored now, each with what every active meter counting it takes from it. Events stored again by a replay
 * after a rebuild (from records before the partition's `usage_metered_through`) were told about already: skipped.
 */
export async function queueMeteredUsage(
  tx: Transaction,
  target: { schema: string; meteredTopic: string },
  records: readonly ConsumedRecord[],
  stored: readonly ParsedUsage[],
): Promise<void> {
  const unpublished = await notYetPublished(tx, records, stored);
  if (unpublished.length === 0) return;
  const meters = await metersCounting(tx, unpublished);
  const byCustomer = new Map<string, { usage: UsageRecord; events: MeteredEvent[] }>();
  for (const { usage, receivedAt } of unpublished) {
    const customer = JSON.stringify([usage.organization_id, usage.mode, usage.customer_id]);
    const entry = byCustomer.get(customer) ?? { usage, events: [] };
    entry.events.push({
      usage_id: usageIdOf(usage.organization_id, usage.mode, usage.idempotency_key),
      idempotency_key: usage.idempotency_key,
      event_name: usage.event_name,
      timestamp: new Date(usage.timestamp).toISOString(),
      received_at: receivedAt,
      meters: meters.get(eventKey(usage)) ?? [],
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

const eventKey = (usage: { organization_id: string; mode: string; idempotency_key: string }) =>
  JSON.stringify([usage.organization_id, usage.mode, usage.idempotency_key]);

/**
 * What each active meter counting the events (its event name and filters, as the rollups match them) takes from
 * each, by event: "1" for count, the property's exact value for sum (null when it is missing or not a number), null
 * for the aggregations that do not add up; and the event's group under the meter's `group_by`, as usage reads it.
 */
async function metersCounting(
  tx: Transaction,
  entries: readonly ParsedUsage[],
): Promise<Map<string, MeteredQuantity[]>> {
  const { rows } = await tx.query<{
    organization_id: string;
    mode: string;
    idempotency_key: string;
    properties: Record<string, string | number | boolean>;
    code: string;
    aggregation: Aggregation;
    group_by: string[];
    quantity: string | null;
  }>(
    `SELECT e.organization_id, e.mode, e.idempotency_key, e.properties, m.code, m.aggregation, m.group_by,
            CASE WHEN m.aggregation = 'count' THEN '1'
                 WHEN m.aggregation = 'sum' AND jsonb_typeof(e.properties -> m.property) = 'number'
                   THEN ((e.properties -> m.property)::numeric)::text
            END AS quantity
       FROM usage_events e
       JOIN meters m ON m.organization_id = e.organization_id AND m.mode = e.mode AND m.event_name = e.event_name
      WHERE m.status = 'active'
        AND (e.organization_id, e.mode, e.idempotency_key) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))
        AND ${passesFiltersSql('e', 'm')}
      ORDER BY m.code`,
    [
      entries.map(({ usage }) => usage.organization_id),
      entries.map(({ usage }) => usage.mode),
      entries.map(({ usage }) => usage.idempotency_key),
    ],
  );
  const meters = new Map<string, MeteredQuantity[]>();
  for (const row of rows) {
    const key = eventKey(row);
    const taken = meters.get(key) ?? [];
    taken.push({
      meter_code: row.code,
      aggregation: row.aggregation,
      quantity: row.quantity === null ? null : normalizeDecimal(row.quantity),
      group:
        row.group_by.length === 0
          ? null
          : Object.fromEntries(row.group_by.map((property) => [property, groupValue(row.properties, property)])),
    });
    meters.set(key, taken);
  }
  return meters;
}

/** The event's value of a grouped property; null when the event lacks it (as the usage queries show it). */
function groupValue(properties: Record<string, string | number | boolean>, property: string) {
  return Object.hasOwn(properties, property) ? (properties[property] ?? null) : null;
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
