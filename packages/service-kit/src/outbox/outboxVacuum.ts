import type pg from 'pg';
import type { Logger } from '../logger';

/** Rows published between two vacuums of the outbox, by default. */
export const outboxVacuumEveryRows = 50_000;
/**
 * Bytes of messages published between two vacuums, by default: a `usage.metered` record carries a batch's events
 * (~8 KB each in the bench), so 50,000 of them left ~400 MB of dead rows before a vacuum.
 */
export const outboxVacuumEveryBytes = 64 * 1024 * 1024;

/** When the relay vacuums its outbox: after as many rows, or as many bytes of messages, as these. */
export interface OutboxVacuumEvery {
  rows?: number;
  bytes?: number;
}

/**
 * Vacuums the outbox after every `rows` rows, or `bytes` bytes of messages, the relay published and deleted,
 * whichever comes first. The outbox is a queue: every row is deleted soon after it is written, and on a server
 * without autovacuum (ADR 0039's case) its table and index only ever grow, so the relay's reads walk more dead
 * entries each turn. A vacuum of a table of few live rows is cheap; a failed one is logged, and the next is tried
 * after as many rows or bytes again.
 */
export function outboxVacuumByVolume(pool: pg.Pool, logger: Logger, every: OutboxVacuumEvery = {}) {
  const everyRows = every.rows ?? outboxVacuumEveryRows;
  const everyBytes = every.bytes ?? outboxVacuumEveryBytes;
  let rows = 0;
  let bytes = 0;
  return {
    published(count: number, size: number): void {
      rows += count;
      bytes += size;
    },
    async afterTurn(): Promise<void> {
      if (rows < everyRows && bytes < everyBytes) return;
      rows = 0;
      bytes = 0;
      await pool.query('VACUUM outbox').catch((error: unknown) => logger.warn({ err: error }, 'outbox vacuum failed'));
    },
  };
}
