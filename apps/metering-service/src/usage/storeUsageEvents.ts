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
    const key = `${entry.usage.organization_id}/${entry.usage.mode}/${entry.usage.idempotency_key}`;
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
  if (meterIds.length === 0) await tx.query(insertEvents, columns);
  else await tx.query(insertWithRollupSql(insertEvents, '$9'), [...columns, meterIds]);
  // Every key is now stored; the rows whose stored content differs from this batch's lost to an earlier event.
  const { rows } = await tx.query<{ position: string }>(
    `SELECT batch.position::text FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
            $6::timestamptz[], $7::text[]) WITH ORDINALITY
         AS batch (organization_id, mode, idempotency_key, event_name, customer_id, "timestamp", properties, position)
       JOIN usage_events stored USING (organization_id, mode, idempotency_key)
      WHERE (stored.event_name, stored.customer_id, stored."timestamp", stored.properties)
            IS DISTINCT FROM (batch.event_name, batch.customer_id, batch."timestamp", batch.properties::jsonb)`,
    columns.slice(0, 7),
  );
  for (const row of rows) {
    const entry = unique[Number(row.position) - 1];
    if (entry) conflicting.push(entry);
  }
  return conflicting;
}

/** What must match for a repeated key to be the same event; keys sorted so property order does not matter. */
function contentOf({ usage }: ParsedUsage): string {
  const properties = Object.fromEntries(Object.entries(usage.properties).sort(([a], [b]) => a.localeCompare(b)));
  return JSON.stringify([usage.event_name, usage.customer_id, Date.parse(usage.timestamp), properties]);
}
