import type { Meter } from '@afternoon/contracts/meters';
import { type Transaction, withReadSnapshot } from '@afternoon/service-kit';
import type pg from 'pg';

/** Whether a meter's rollup is current for the definition the `meters` row holds, as SQL over that row. */
export const rollupCurrentSql = `status = 'active' AND rollup_version IS NOT DISTINCT FROM definition_version`;

/**
 * Runs `read` in one repeatable-read snapshot and tells it whether the meter's rollup is current for exactly the
 * definition `meter` holds, so the raw edges and the rollup's middle of an answer never mix two definitions.
 * Decided here rather than inside the SQL: a branch that never runs still costs the planner (JIT, parallel plans).
 */
export function withRollupSnapshot<T>(
  pool: pg.Pool,
  meter: Meter,
  read: (tx: Transaction, rollupCurrent: boolean) => Promise<T>,
): Promise<T> {
  return withReadSnapshot(pool, async (tx) => read(tx, await rollupCurrentIn(tx, meter)));
}

/** Whether, in the caller's snapshot, the meter's rollup is current for exactly the definition `meter` holds. */
export async function rollupCurrentIn(tx: Transaction, meter: Meter): Promise<boolean> {
  const { rows } = await tx.query<{ current: boolean }>(
    `SELECT ${rollupCurrentSql} AND filters = $2::jsonb AND group_by = $3::jsonb AS current
       FROM meters WHERE id = $1`,
    [meter.id, JSON.stringify(meter.filters), JSON.stringify(meter.group_by)],
  );
  return rows[0]?.current ?? false;
}
