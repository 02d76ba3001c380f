import type { Transaction } from '@afternoon/service-kit';
import { insertWithRollupSql, metersToRollUp } from '../meters/rollups/ingestRollup';
import type { ParsedUsage } from './meterUsage';

/**
 * Inserts the events with one multi-row statement, each (organization, mode, idempotency key) once, adding the new
 * ones to the rollups of the meters that count them; answers the ones that reuse a stored or earlier key with
 * different content. A repeat with the same content is simply a no-op.
 */
export async function storeUsageEvents(tx: Transaction, entries: readonly ParsedUsage[]): Promise<ParsedUsage[]> {
  const conflicting: ParsedUsage[] = [];
  const firstByKey = new Map<string, ParsedUsage>();
  for (const entry of entries) {
    const key = keyOf(entry.usage);
    const first = firstByKey.get(key);
    if (!first) firstByKey.set(key, entry);
    else if (contentOf(first) !== contentOf(entry)) conflicting.push(entry);
  }
  const unique = [...firstByKey.values()];
  if (unique.length === 0) return conflicting;
  const columns = [
    unique.map(({ usage }) => usage.organization_id),
    unique.map(({ usage }) => usage.mode),
    unique.map(({ usage }) => usage.idempotency_key),
    unique.map(({ usage }) => usage.event_name),
    unique.map(({ usage }) => usage.customer_id),
    unique.map(({ usage }) => usage.timestamp),
    unique.map(({ usage }) => JSON.stringify(usage.properties)),
    unique.map(({ usage }) => usage.received_at),
  ];
  const insertEvents = `INSERT INTO usage_events
       (organization_id, mode, idempotency_key, event_name, customer_id, "timestamp", properties, received_at)
     SELECT organization_id, mode, idempotency_key, event_name, customer_id, "timestamp", properties::jsonb, received_at
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[], $8::timestamptz[])
         AS batch (organization_id, mode, idempotency_key, event_name, customer_id, "timestamp", properties, received_at)
     ON CONFLICT (organization_id, mode, idempotency_key) DO NOTHING`;
  const meterIds = await metersToRollUp(
    tx,
    unique.map(({ usage }) => usage),
  );
  const returning = 'organization_id, mode, idempotency_key';
  const { rows: inserted } = await tx.query<{ organization_id: string; mode: string; idempotency_key: string }>(
    meterIds.length === 0
      ? `${insertEvents} RETURNING ${returning}`
      : insertWithRollupSql(insertEvents, returning, '$9'),
    meterIds.length === 0 ? columns : [...columns, meterIds],
  );
  // The keys not inserted were stored before: the same event again, or one that conflicts with it.
  const insertedKeys = new Set(inserted.map((row) => `${row.organization_id}/${row.mode}/${row.idempotency_key}`));
  const repeated = unique.filter(({ usage }) => !insertedKeys.has(keyOf(usage)));
  if (repeated.length > 0) conflicting.push(...(await differingFromStored(tx, repeated)));
  return conflicting;
}

const keyOf = (usage: ParsedUsage['usage']) => `${usage.organization_id}/${usage.mode}/${usage.idempotency_key}`;

/** The entries whose stored event (found by primary key, one lookup each) has other content. */
async function differingFromStored(tx: Transaction, entries: readonly ParsedUsage[]): Promise<ParsedUsage[]> {
  const { rows } = await tx.query<{ position: string }>(
    `SELECT batch.position::text
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[])
              WITH ORDINALITY AS batch (organization_id, mode, idempotency_key, event_name, customer_id, "timestamp",
                                        properties, position)
       CROSS JOIN LATERAL (
         SELECT event_name, customer_id, "timestamp", properties FROM usage_events stored
          WHERE stored.organization_id = batch.organization_id AND stored.mode = batch.mode
            AND stored.idempotency_key = batch.idempotency_key
       ) stored
      WHERE (stored.event_name, stored.customer_id, stored."timestamp", stored.properties)
            IS DISTINCT FROM (batch.event_name, batch.customer_id, batch."timestamp", batch.properties::jsonb)`,
    [
      entries.map(({ usage }) => usage.organization_id),
      entries.map(({ usage }) => usage.mode),
      entries.map(({ usage }) => usage.idempotency_key),
      entries.map(({ usage }) => usage.event_name),
      entries.map(({ usage }) => usage.customer_id),
      entries.map(({ usage }) => usage.timestamp),
      entries.map(({ usage }) => JSON.stringify(usage.properties)),
    ],
  );
  return rows.flatMap((row) => entries[Number(row.position) - 1] ?? []);
}

/** What must match for a repeated key to be the same event; keys sorted so property order does not matter. */
function contentOf({ usage }: ParsedUsage): string {
  const properties = Object.fromEntries(Object.entries(usage.properties).sort(([a], [b]) => a.localeCompare(b)));
  return JSON.stringify([usage.event_name, usage.customer_id, Date.parse(usage.timestamp), properties]);
}
