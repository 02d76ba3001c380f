import { SqlParameters, type SqlQuery, type Transaction } from '@afternoon/service-kit';
import { addToRollups, type BatchMeter } from '../meters/rollups/ingestRollup';
import type { ParsedUsage } from './meterUsage';
import { sourceOf } from './receivedAt';

/** What storing a batch made of its records: the ones stored now, and the ones reusing a key with other content. */
export interface StoredUsage {
  /** Newly stored, in batch order: never a duplicate, nor a record whose event was stored when it was handled before. */
  stored: ParsedUsage[];
  conflicting: ParsedUsage[];
}

/**
 * Inserts the events with one statement over column arrays, each (organization, mode, idempotency key) once, then
 * adds the new ones to the current rollups of `meters` (locked by `lockBatchMeters`) that count them. Every other record of the batch is then one of two things:
 * a repeat of a stored key with the same content, recorded in `usage_duplicates` once per source record; or one
 * with different content, answered for the caller to refuse. The record a stored event came from, handled again,
 * is neither.
 */
export async function storeUsageEvents(
  tx: Transaction,
  entries: readonly ParsedUsage[],
  meters: readonly BatchMeter[],
): Promise<StoredUsage> {
  if (entries.length === 0) return { stored: [], conflicting: [] };
  const firstByKey = new Map<string, ParsedUsage>();
  for (const entry of entries) {
    const key = keyOf(entry.usage);
    if (!firstByKey.has(key)) firstByKey.set(key, entry);
  }
  const unique = [...firstByKey.values()];
  const insert = new SqlParameters();
  const insertEvents = `INSERT INTO usage_events
       (organization_id, mode, idempotency_key, event_name, customer_id, "timestamp", properties, source, received_at)
     SELECT organization_id, mode, idempotency_key, event_name, customer_id, "timestamp", properties::jsonb, source,
            received_at
       FROM unnest(${unnestArguments(insert, columnsOf(unique))})
         AS batch (organization_id, mode, idempotency_key, event_name, customer_id, "timestamp", properties, source,
                   received_at)
     ON CONFLICT (organization_id, mode, idempotency_key) DO NOTHING`;
  const inserted = await tx.query<{ organization_id: string; mode: string; idempotency_key: string }>(
    insert.query(`${insertEvents} RETURNING organization_id, mode, idempotency_key`),
  );
  const insertedKeys = new Set(inserted.rows.map(keyOf));
  const stored = unique.filter(({ usage }) => insertedKeys.has(keyOf(usage)));
  await addToRollups(tx, meters, stored);
  // Every record's key was new and is stored from that record: none can repeat or contradict a stored event.
  if (stored.length === entries.length) return { stored, conflicting: [] };

  // Every key is now stored; each other record of the batch is the stored event (handled again), a duplicate of it,
  // or a conflict.
  const storedNow = new Set(stored);
  const others = entries.filter((entry) => !storedNow.has(entry));
  const { rows } = await tx.query<{ position: string; same_content: boolean }>(storedRowsComparedSql(others));
  const conflicting: ParsedUsage[] = [];
  const duplicates: ParsedUsage[] = [];
  for (const row of rows) {
    const entry = others[Number(row.position) - 1];
    if (entry) (row.same_content ? duplicates : conflicting).push(entry);
  }
  await recordDuplicates(tx, duplicates);
  return { stored, conflicting };
}

/**
 * How each entry compares with the stored event of its key (entries without one, or stored from that very record,
 * are left out): its 1-based `position` among the entries and whether its content is the same. Each key is looked
 * up by itself: the planner, not knowing how few they are, would otherwise hash the whole table for every batch
 * (LIMIT keeps the lateral subquery from being flattened into such a join). The lookup asks for the first row at or
 * after the key in the primary key's order, which only the primary key reads without sorting whatever the
 * statistics say: with equalities, statistics that had not seen a tenant yet estimated every `(organization_id,
 * mode)` at one row, and the lookup went through the smaller `usage_events_received`, reading all of the tenant's
 * events for each key (ADR 0058).
 */
export function storedRowsComparedSql(entries: readonly ParsedUsage[]): SqlQuery {
  const compare = new SqlParameters();
  return compare.query(`SELECT batch.position::text,
            (stored.event_name, stored.customer_id, stored."timestamp", stored.properties)
              IS NOT DISTINCT FROM (batch.event_name, batch.customer_id, batch."timestamp", batch.properties::jsonb)
              AS same_content
       FROM unnest(${unnestArguments(compare, columnsOf(entries).slice(0, 8))}) WITH ORDINALITY
         AS batch (organization_id, mode, idempotency_key, event_name, customer_id, "timestamp", properties, source,
                   position)
       CROSS JOIN LATERAL (
         SELECT * FROM usage_events stored
          WHERE (stored.organization_id, stored.mode, stored.idempotency_key)
                  >= (batch.organization_id, batch.mode, batch.idempotency_key)
          ORDER BY stored.organization_id, stored.mode, stored.idempotency_key
          LIMIT 1) stored
      WHERE (stored.organization_id, stored.mode, stored.idempotency_key)
              = (batch.organization_id, batch.mode, batch.idempotency_key)
        AND stored.source IS DISTINCT FROM batch.source
      ORDER BY batch.position`);
}

// Unambiguous: only the last part may hold the separator (ids and modes never do).
const keyOf = (usage: { organization_id: string; mode: string; idempotency_key: string }) =>
  `${usage.organization_id}\u0000${usage.mode}\u0000${usage.idempotency_key}`;

async function recordDuplicates(tx: Transaction, duplicates: readonly ParsedUsage[]): Promise<void> {
  if (duplicates.length === 0) return;
  await tx.query(
    `INSERT INTO usage_duplicates (source, organization_id, mode, idempotency_key, received_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
     ON CONFLICT (source) DO NOTHING`,
    [
      duplicates.map(({ record }) => sourceOf(record)),
      duplicates.map(({ usage }) => usage.organization_id),
      duplicates.map(({ usage }) => usage.mode),
      duplicates.map(({ usage }) => usage.idempotency_key),
      duplicates.map(({ receivedAt }) => receivedAt),
    ],
  );
}

const columnTypes = ['text', 'text', 'text', 'text', 'text', 'timestamptz', 'text', 'text', 'timestamptz'];

/** `unnest`'s arguments for these columns (a prefix of `columnsOf`'s), each an array parameter of its column's type. */
function unnestArguments(params: SqlParameters, columns: readonly unknown[][]): string {
  return columns.map((column, index) => `${params.add(column)}::${columnTypes[index]}[]`).join(', ');
}

/** The statements' parameters, one array per column, in the order both statements name them. */
function columnsOf(entries: readonly ParsedUsage[]): unknown[][] {
  return [
    entries.map(({ usage }) => usage.organization_id),
    entries.map(({ usage }) => usage.mode),
    entries.map(({ usage }) => usage.idempotency_key),
    entries.map(({ usage }) => usage.event_name),
    entries.map(({ usage }) => usage.customer_id),
    entries.map(({ usage }) => usage.timestamp),
    entries.map(({ usage }) => JSON.stringify(usage.properties)),
    entries.map(({ record }) => sourceOf(record)),
    entries.map(({ receivedAt }) => receivedAt),
  ];
}
