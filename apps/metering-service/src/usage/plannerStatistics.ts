import { type BackgroundLoop, type Logger, startBackgroundLoop, withTransaction } from '@afternoon/service-kit';
import pg from 'pg';

/**
 * Autovacuum's default rule for when a table's statistics are out of date (`autovacuum_analyze_threshold` 50 rows
 * plus `autovacuum_analyze_scale_factor` 10% of the rows it had when last analyzed).
 */
const changedRowsThreshold = 50;
const changedShare = 0.1;
/**
 * Enough changed rows to analyze whatever the table's size. The share alone lets a large `usage_events` take a new
 * tenant's first hundred thousand events unseen: the planner then believes the tenant has one row, every index
 * leading with the tenant looks as good as any other, and a customer's usage is read by scanning all of its
 * tenant's events (ADR 0039).
 */
const changedRowsAlwaysEnough = 10_000;

/**
 * Analyzes the tables of the service's schema whose rows changed past autovacuum's default rule, or past
 * `changedRowsAlwaysEnough`, since their last analyze, and answers their names. One instance does it at a time (the others find the lock taken and skip).
 */
export async function analyzeChangedTables(pool: pg.Pool): Promise<string[]> {
  return withTransaction(pool, async (tx) => {
    const { rows: locked } = await tx.query<{ locked: boolean }>(
      `SELECT pg_try_advisory_xact_lock(hashtext(current_schema() || '.planner_statistics')) AS locked`,
    );
    if (!locked[0]?.locked) return [];
    const { rows } = await tx.query<{ relname: string }>(
      `SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
        WHERE s.schemaname = current_schema()
          AND s.n_mod_since_analyze > least($1 + $2 * greatest(c.reltuples, 0), $3)
        ORDER BY s.relname`,
      [changedRowsThreshold, changedShare, changedRowsAlwaysEnough],
    );
    for (const { relname } of rows) await tx.query(`ANALYZE ${pg.escapeIdentifier(relname)}`);
    return rows.map((row) => row.relname);
  });
}

const statisticsIntervalMs = 10_000;
/**
 * The most of its time the loop spends analyzing. An `ANALYZE` samples up to 30,000 rows of a table, which on a large
 * `usage_events` under load took 1.6 s (16% of the loop's time at one every 10 s, measured while metering stored a
 * backlog beside rating and alerts on two cores): a slow analyze lengthens the pause after it instead.
 */
const maxAnalyzingShare = 0.05;

/** The pause after a turn that took `turnMs`: the interval, or longer if the turn took more than its share. */
export function pauseAfterAnalyzing(turnMs: number): number {
  return Math.max(statisticsIntervalMs, Math.ceil((turnMs * (1 - maxAnalyzingShare)) / maxAnalyzingShare));
}

/**
 * Keeps the planner's statistics of the service's tables current, as autovacuum would: a server may run with it
 * off, and then `usage_events`, filled by bulk ingest, would never have any, and every plan over it would guess.
 */
export function startPlannerStatistics(options: { pool: pg.Pool; logger: Logger }): BackgroundLoop<number> {
  return startBackgroundLoop({
    name: 'planner statistics',
    logger: options.logger,
    intervalMs: statisticsIntervalMs,
    async turn() {
      const started = Date.now();
      const analyzed = await analyzeChangedTables(options.pool);
      const turnMs = Date.now() - started;
      if (analyzed.length > 0) options.logger.debug({ tables: analyzed, ms: turnMs }, 'tables analyzed');
      return turnMs;
    },
    pauseAfter: pauseAfterAnalyzing,
  });
}
