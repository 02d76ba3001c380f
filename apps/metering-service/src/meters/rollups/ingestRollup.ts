import type { Aggregation } from '@afternoon/contracts/meters';
import type { UsageRecord } from '@afternoon/contracts/usage';
import type { Transaction } from '@afternoon/service-kit';
import { addToHourlyRollupSql, addToHourlyValuesSql } from './rollupSql';

/** An active meter that may count a batch's events: what it takes from each, and whether ingest adds to its rollup. */
export interface BatchMeter {
  id: string;
  organization_id: string;
  mode: string;
  code: string;
  event_name: string;
  aggregation: Aggregation;
  property: string | null;
  filters: Record<string, unknown>;
  group_by: string[];
  /** Its rollup is built for its current definition, so ingest adds to it; a stale one is left to its rebuild. */
  rollupCurrent: boolean;
}

/**
 * Locks (FOR SHARE, until the transaction ends) every active meter these events could count for, and answers them
 * in order of code. A rollup rebuild locks its meter FOR UPDATE, so a batch either commits before the rebuild reads
 * the events (and the rebuild counts it) or waits for the rebuild and adds to the rebuilt rollup itself.
 */
export async function lockBatchMeters(tx: Transaction, usages: readonly UsageRecord[]): Promise<BatchMeter[]> {
  const kinds = new Map(usages.map((usage) => [`${usage.organization_id}/${usage.mode}/${usage.event_name}`, usage]));
  if (kinds.size === 0) return [];
  const distinct = [...kinds.values()];
  // Locked in order of id (as every locker of meters does), answered in order of code.
  const { rows } = await tx.query<BatchMeter>(
    `SELECT * FROM (
       SELECT id, organization_id, mode, code, event_name, aggregation, property, filters, group_by,
              rollup_version IS NOT DISTINCT FROM definition_version AS "rollupCurrent"
         FROM meters
        WHERE status = 'active'
          AND (organization_id, mode, event_name) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))
        ORDER BY id FOR SHARE) locked
      ORDER BY code`,
    [
      distinct.map((usage) => usage.organization_id),
      distinct.map((usage) => usage.mode),
      distinct.map((usage) => usage.event_name),
    ],
  );
  return rows;
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
