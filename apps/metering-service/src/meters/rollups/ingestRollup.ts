import type { UsageRecord } from '@afternoon/contracts/usage';
import type { Transaction } from '@afternoon/service-kit';
import { addToHourlyRollupSql, addToHourlyValuesSql } from './rollupSql';

/**
 * Locks (FOR SHARE, until the transaction ends) every active meter these events could count for, and answers the
 * ones whose rollup is current, which ingest must add to. A rollup rebuild locks its meter FOR UPDATE, so a batch
 * either commits before the rebuild reads the events (and the rebuild counts it) or waits for the rebuild and adds
 * to the rebuilt rollup itself; a meter that is stale is left to its rebuild.
 */
export async function metersToRollUp(tx: Transaction, usages: readonly UsageRecord[]): Promise<string[]> {
  const kinds = new Map(usages.map((usage) => [`${usage.organization_id}/${usage.mode}/${usage.event_name}`, usage]));
  if (kinds.size === 0) return [];
  const distinct = [...kinds.values()];
  const { rows } = await tx.query<{ id: string; current: boolean }>(
    `SELECT id, rollup_version IS NOT DISTINCT FROM definition_version AS current FROM meters
      WHERE status = 'active'
        AND (organization_id, mode, event_name) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))
      ORDER BY id FOR SHARE`,
    [
      distinct.map((usage) => usage.organization_id),
      distinct.map((usage) => usage.mode),
      distinct.map((usage) => usage.event_name),
    ],
  );
  return rows.filter((row) => row.current).map((row) => row.id);
}

/**
 * Wraps an `INSERT INTO usage_events … ON CONFLICT DO NOTHING` so the rows it actually inserts (never a duplicate)
 * are added to the rollups of the meters in parameter `meterIdsParam`, in the same statement, which answers the
 * inserted rows' `returning` columns as the insert alone would.
 */
export function insertWithRollupSql(insertEvents: string, meterIdsParam: string, returning: string): string {
  const meters = `(SELECT * FROM meters WHERE id = ANY(${meterIdsParam}::text[]))`;
  return `
    WITH inserted AS (${insertEvents} RETURNING *),
         hourly AS (${addToHourlyRollupSql('inserted', meters)}),
         hourly_values AS (${addToHourlyValuesSql('inserted', meters)})
    SELECT ${returning} FROM inserted`;
}
