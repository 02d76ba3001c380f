import pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';

/** Where a caller stands in its current window once a request is counted. */
export interface WindowCount {
  limit: number;
  remaining: number;
  /** When the window ends, in epoch milliseconds. */
  endsAt: number;
  exceeded: boolean;
}

const windowSeconds = 60;
const table = 'rate_limits';

/**
 * Fixed 60-second windows of requests per key, counted in the gateway's schema so every replica shares them
 * (rate-limiter-flexible's Postgres store, one upsert per request; the table is made by migration 004). A window
 * starts with its key's first request. The store's limit is fixed per limiter, so each limit in use gets its own
 * limiter over the same table: an organization whose limit changes keeps what it has consumed.
 */
export function requestWindows(pool: pg.Pool, schema: string) {
  const limiters = new Map<number, RateLimiterPostgres>();
  const limiterFor = (limit: number): RateLimiterPostgres => {
    let limiter = limiters.get(limit);
    if (!limiter) {
      limiter = new RateLimiterPostgres({
        storeClient: pool,
        storeType: 'pool',
        schemaName: schema,
        tableName: table,
        tableCreated: true,
        clearExpiredByTimeout: false,
        keyPrefix: 'requests',
        points: limit,
        duration: windowSeconds,
      });
      limiters.set(limit, limiter);
    }
    return limiter;
  };

  return {
    /** Counts `cost` units against `key`'s window of `limit`; rejects only when the store cannot be reached. */
    async count(key: string, limit: number, cost: number): Promise<WindowCount> {
      const outcome = await limiterFor(limit)
        .consume(key, cost)
        .then(
          (result) => ({ result, exceeded: false }),
          (rejection: unknown) => {
            if (rejection instanceof RateLimiterRes) return { result: rejection, exceeded: true };
            throw rejection;
          },
        );
      return {
        limit,
        remaining: outcome.result.remainingPoints,
        endsAt: Date.now() + outcome.result.msBeforeNext,
        exceeded: outcome.exceeded,
      };
    },

    /** Deletes windows that ended more than `olderThanMs` ago; their keys start afresh either way. */
    async forgetEnded(olderThanMs: number): Promise<void> {
      await pool.query(`DELETE FROM ${pg.escapeIdentifier(schema)}.${table} WHERE expire < $1`, [
        Date.now() - olderThanMs,
      ]);
    },
  };
}
export type RequestWindows = ReturnType<typeof requestWindows>;
