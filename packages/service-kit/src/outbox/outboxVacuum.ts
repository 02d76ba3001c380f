import type pg from 'pg';
import type { Logger } from '../logger';

/** Rows published between two vacuums of the outbox, by default. */
export const outboxVacuumEveryRows = 50_000;

/**
 * Vacuums the outbox after every `everyRows` rows the relay published and deleted. The outbox is a queue: every row
 * is deleted soon after it is written, and on a server without autovacuum (ADR 0039's case) its table and index only
 * ever grow, so the relay's reads walk more dead entries each turn. A vacuum of a table of few live rows is cheap; a
 * failed one is logged, and the next is tried after as many rows again.
 */
export function outboxVacuumByRows(pool: pg.Pool, logger: Logger, everyRows = outboxVacuumEveryRows) {
  let published = 0;
  return {
    published(rows: number): void {
      published += rows;
    },
    async afterTurn(): Promise<void> {
      if (published < everyRows) return;
      published = 0;
      await pool.query('VACUUM outbox').catch((error: unknown) => logger.warn({ err: error }, 'outbox vacuum failed'));
    },
  };
}
