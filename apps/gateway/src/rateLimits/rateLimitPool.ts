import { createPool, type Logger } from '@afternoon/service-kit';
import type pg from 'pg';
import type { GatewayEnv } from '../env';

type RateLimitPoolEnv = Pick<
  GatewayEnv,
  'DATABASE_URL' | 'DB_SCHEMA' | 'DB_POOL_QUERIES_MAX' | 'DB_STATEMENT_TIMEOUT_MS' | 'DB_LOCK_TIMEOUT_MS'
>;

/**
 * The connections that count requests in their windows (ADR 0049): every request's upsert commits without waiting
 * for the WAL flush, which took ~1.5–3 ms of each request here. A Postgres crash may forget the last ~0.6 s of
 * counts, and their callers get those requests again; nothing else is written on these connections.
 */
export function rateLimitPool(env: RateLimitPoolEnv, logger?: Logger): pg.Pool {
  return createPool({
    url: env.DATABASE_URL,
    schema: env.DB_SCHEMA,
    applicationName: 'gateway:rate-limits',
    max: env.DB_POOL_QUERIES_MAX,
    ...(logger ? { logger } : {}),
    limits: { statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS, lockTimeoutMs: env.DB_LOCK_TIMEOUT_MS },
    asynchronousCommit: true,
  });
}
