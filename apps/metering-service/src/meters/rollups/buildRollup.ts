import {
  type BackgroundLoop,
  type Logger,
  type Queryable,
  startBackgroundLoop,
  withTransaction,
} from '@afternoon/service-kit';
import type pg from 'pg';
import { addToHourlyRollupSql, addToHourlyValuesSql } from './rollupSql';

/**
 * Rebuilds one meter's rollup from every stored event, for its current definition. The meter's row stays locked
 * FOR UPDATE throughout, and ingest takes it FOR SHARE before adding to a rollup, so no batch is counted both here
 * and by ingest, nor by neither (see `lockBatchMeters`). False when there was nothing to do.
 */
export async function buildMeterRollup(pool: pg.Pool, meterId: string): Promise<boolean> {
  return withTransaction(pool, async (tx) => {
    const { rows } = await tx.query<{ organization_id: string; mode: string; event_name: string }>(
      `SELECT organization_id, mode, event_name FROM meters
        WHERE id = $1 AND status = 'active' AND rollup_version IS DISTINCT FROM definition_version FOR UPDATE`,
      [meterId],
    );
    const meter = rows[0];
    if (!meter) return false;
    await tx.query('DELETE FROM meter_usage_hourly WHERE meter_id = $1', [meterId]);
    await tx.query('DELETE FROM meter_usage_hourly_values WHERE meter_id = $1', [meterId]);
    const events = `(SELECT * FROM usage_events WHERE organization_id = $2 AND mode = $3 AND event_name = $4)`;
    const meters = '(SELECT * FROM meters WHERE id = $1)';
    const values = [meterId, meter.organization_id, meter.mode, meter.event_name];
    await tx.query(addToHourlyRollupSql(events, meters), values);
    await tx.query(addToHourlyValuesSql(events, meters), values);
    await tx.query('UPDATE meters SET rollup_version = definition_version WHERE id = $1', [meterId]);
    return true;
  });
}

/** The active meters whose rollup is stale (new, changed, or emptied by a rebuild), oldest change first. */
async function staleMeters(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM meters WHERE status = 'active' AND rollup_version IS DISTINCT FROM definition_version
      ORDER BY updated_at LIMIT 100`,
  );
  return rows.map((row) => row.id);
}

const rollupIntervalMs = 1_000;

/**
 * Keeps rollups current in the background: a stale meter is answered from raw events (correct, slower) until its
 * rollup is rebuilt here. Polls, since a definition change is rare and a second's delay costs only speed.
 */
export function startRollupBuilder(options: { pool: pg.Pool; logger: Logger }): BackgroundLoop {
  return startBackgroundLoop({
    name: 'rollup builder',
    logger: options.logger,
    intervalMs: rollupIntervalMs,
    async turn(stopping) {
      for (const meterId of await staleMeters(options.pool)) {
        if (stopping()) return;
        const started = Date.now();
        if (await buildMeterRollup(options.pool, meterId))
          options.logger.info({ meter_id: meterId, ms: Date.now() - started }, 'meter rollup rebuilt');
      }
    },
  });
}
