import pg from 'pg';
import type { Logger } from '../logger';
import { type BackgroundLoop, startBackgroundLoop } from '../slices/backgroundLoop';

/**
 * Enough changed rows to analyze a table that must see a new tenant early, whatever its size. Autovacuum's share rule
 * (50 rows plus 10% of the table) lets a large `usage_events` take a new tenant's first hundred thousand events
 * unseen: the planner then believes the tenant has one row, every index leading with the tenant looks as good as any
 * other, and a customer's usage is read by scanning all of its tenant's events (ADR 0039).
 */
const changedRowsAlwaysEnough = 10_000;

/**
 * Tables something else vacuums: the outbox relay vacuums its outbox by what it publishes, on any server (ADR 0047).
 */
const vacuumedElsewhere = ['outbox'];

export interface TableMaintenanceOptions {
  /**
   * Tables whose plans must see a new tenant's rows early (metering's `usage_events`, ADR 0039): analyzed every turn
   * once `changedRowsAlwaysEnough` rows, or autovacuum's share, changed, whether autovacuum runs or not.
   */
  newTenantsSeenIn?: readonly string[];
  /** How long after its last analyze (or vacuum) any other table may have the next: the server's autovacuum_naptime. */
  revisitAfterMs?: number;
}

/** What one turn did: the tables it analyzed and the ones it vacuumed (a table may be in both). */
export interface TablesMaintained {
  analyzed: string[];
  vacuumed: string[];
}

interface DueTable {
  relname: string;
  analyze: boolean;
  vacuum: boolean;
}

/**
 * The schema's tables due for an analyze or a vacuum. With autovacuum off (a server may run so; this machine does),
 * or off for the table (`autovacuum_enabled`), nothing else would ever do either, so they are done here as autovacuum
 * would, with the server's own settings: an analyze after `autovacuum_analyze_threshold` +
 * `autovacuum_analyze_scale_factor` × rows changed rows, a vacuum after as many dead rows (`autovacuum_vacuum_*`): the
 * old versions a row updated in place leaves (a rollup, a running total, a stored offset, a projection); and a table
 * at most once an `autovacuum_naptime` (a minute), as autovacuum visits a database, so a table filling fast is not
 * analyzed every turn (ADR 0055).
 * Not autovacuum's vacuum of a table that only grows (`autovacuum_vacuum_insert_*`): its first one after a bulk load
 * reads every page loaded (minutes for the bench's 10,000,000-event seed), while ingest is what it would slow, and
 * none of the services' reads needs what it sets. The `newTenantsSeenIn` tables are analyzed by their own rule, every
 * turn, whatever autovacuum does.
 */
const dueTablesSql = `
  WITH settings AS (
    SELECT current_setting('autovacuum')::boolean AS autovacuum,
           current_setting('autovacuum_analyze_threshold')::float8 AS analyze_threshold,
           current_setting('autovacuum_analyze_scale_factor')::float8 AS analyze_share,
           current_setting('autovacuum_vacuum_threshold')::float8 AS vacuum_threshold,
           current_setting('autovacuum_vacuum_scale_factor')::float8 AS vacuum_share,
           now() - coalesce(make_interval(secs => $4::float8 / 1000), current_setting('autovacuum_naptime')::interval)
             AS revisited_before
  ), tables AS (
    SELECT s.relname, s.n_mod_since_analyze, s.n_dead_tup, greatest(c.reltuples, 0) AS reltuples,
           s.relname = ANY ($3::text[]) AS new_tenants_seen,
           greatest(s.last_analyze, s.last_autoanalyze) < revisited_before
             OR coalesce(s.last_analyze, s.last_autoanalyze) IS NULL AS analyze_revisited,
           greatest(s.last_vacuum, s.last_autovacuum) < revisited_before
             OR coalesce(s.last_vacuum, s.last_autovacuum) IS NULL AS vacuum_revisited,
           NOT autovacuum OR EXISTS (SELECT 1 FROM pg_options_to_table(c.reloptions)
                                      WHERE option_name = 'autovacuum_enabled' AND NOT option_value::boolean)
             AS left_alone
      FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid, settings
     WHERE s.schemaname = current_schema()
  )
  SELECT relname,
         CASE WHEN new_tenants_seen
              THEN n_mod_since_analyze > least(analyze_threshold + analyze_share * reltuples, $1)
              ELSE left_alone AND analyze_revisited
                   AND n_mod_since_analyze > analyze_threshold + analyze_share * reltuples END AS analyze,
         left_alone AND vacuum_revisited AND relname <> ALL ($2::text[])
           AND n_dead_tup > vacuum_threshold + vacuum_share * reltuples AS vacuum
    FROM tables, settings
   ORDER BY relname`;

/**
 * Analyzes and vacuums the service's tables that are due (`dueTablesSql`), and answers which. One instance does it
 * at a time: the others find the lock taken and skip the turn. `VACUUM` cannot run in a transaction, so the lock is
 * a session lock on a connection of the turn's own, given up before the connection goes back to the pool (a
 * connection that failed is not given back: its lock goes with it).
 */
export async function maintainTables(pool: pg.Pool, options: TableMaintenanceOptions = {}): Promise<TablesMaintained> {
  const client = await pool.connect();
  try {
    const done = await maintainLocked(client, options);
    client.release();
    return done;
  } catch (error) {
    client.release(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
}

async function maintainLocked(client: pg.PoolClient, options: TableMaintenanceOptions): Promise<TablesMaintained> {
  const done: TablesMaintained = { analyzed: [], vacuumed: [] };
  const lock = "hashtext(current_schema() || '.table_maintenance')";
  const { rows: locked } = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${lock}) AS locked`);
  if (!locked[0]?.locked) return done;
  const { rows } = await client.query<DueTable>(dueTablesSql, [
    changedRowsAlwaysEnough,
    vacuumedElsewhere,
    options.newTenantsSeenIn ?? [],
    options.revisitAfterMs ?? null,
  ]);
  for (const { relname, analyze, vacuum } of rows) {
    const table = pg.escapeIdentifier(relname);
    if (vacuum) await client.query(analyze ? `VACUUM (ANALYZE) ${table}` : `VACUUM ${table}`);
    else if (analyze) await client.query(`ANALYZE ${table}`);
    if (analyze) done.analyzed.push(relname);
    if (vacuum) done.vacuumed.push(relname);
  }
  await client.query(`SELECT pg_advisory_unlock(${lock})`);
  return done;
}

const maintenanceIntervalMs = 10_000;
/**
 * The most of its time the loop spends analyzing and vacuuming. An `ANALYZE` samples up to 30,000 rows of a table,
 * which on a large `usage_events` under load took 1.6 s (16% of the loop's time at one every 10 s, measured while
 * metering stored a backlog beside rating and alerts on two cores): a slow turn lengthens the pause after it instead.
 */
const maxMaintainingShare = 0.05;

/** The pause after a turn that took `turnMs`: the interval, or longer if the turn took more than its share. */
export function pauseAfterMaintaining(turnMs: number): number {
  return Math.max(maintenanceIntervalMs, Math.ceil((turnMs * (1 - maxMaintainingShare)) / maxMaintainingShare));
}

/**
 * Keeps the planner's statistics of the service's tables current and their dead rows reclaimed, as autovacuum
 * would (`maintainTables`): a server may run with it off, and then `usage_events`, filled by bulk ingest, would
 * never have statistics and every plan over it would guess, and a row updated in place (a rollup, a running total,
 * a stored offset) would leave its old versions behind for ever.
 */
export function startTableMaintenance(
  options: TableMaintenanceOptions & { pool: pg.Pool; logger: Logger },
): BackgroundLoop<number> {
  return startBackgroundLoop({
    name: 'table maintenance',
    logger: options.logger,
    intervalMs: maintenanceIntervalMs,
    async turn() {
      const started = Date.now();
      const done = await maintainTables(options.pool, options);
      const turnMs = Date.now() - started;
      if (done.analyzed.length + done.vacuumed.length > 0)
        options.logger.debug({ ...done, ms: turnMs }, 'tables maintained');
      return turnMs;
    },
    pauseAfter: pauseAfterMaintaining,
  });
}
