import type pg from 'pg';
import type { ServiceEnv } from '../env';
import type { Logger } from '../logger';
import { createPool, type StatementLimits } from './database';

/**
 * What a pool is for. Each gets its own connections, so a slow usage query cannot starve ingest, and a long
 * billing pass cannot starve either (ADR 0007).
 */
export type PoolRole = 'ingest' | 'queries' | 'background';

export type ServicePools = Record<PoolRole, pg.Pool>;

type PoolEnv = Pick<
  ServiceEnv,
  | 'DATABASE_URL'
  | 'DB_STATEMENT_TIMEOUT_MS'
  | 'DB_LOCK_TIMEOUT_MS'
  | 'DB_BACKGROUND_STATEMENT_TIMEOUT_MS'
  | 'DB_POOL_INGEST_MAX'
  | 'DB_POOL_QUERIES_MAX'
  | 'DB_POOL_BACKGROUND_MAX'
> & { DB_SCHEMA: string };

function poolSettings(env: PoolEnv, role: PoolRole): { max: number; limits: StatementLimits } {
  const limits = { statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS, lockTimeoutMs: env.DB_LOCK_TIMEOUT_MS };
  switch (role) {
    case 'ingest':
      return { max: env.DB_POOL_INGEST_MAX, limits };
    case 'queries':
      return { max: env.DB_POOL_QUERIES_MAX, limits };
    case 'background':
      return {
        max: env.DB_POOL_BACKGROUND_MAX,
        limits: { ...limits, statementTimeoutMs: env.DB_BACKGROUND_STATEMENT_TIMEOUT_MS },
      };
    default: {
      const unknown: never = role;
      return unknown;
    }
  }
}

/** One of an app's pools, sized and limited by the env; its sessions are named `<app>:<role>` in pg_stat_activity. */
export function createServicePool(env: PoolEnv, role: PoolRole, appName: string, logger?: Logger): pg.Pool {
  return createPool({
    url: env.DATABASE_URL,
    schema: env.DB_SCHEMA,
    applicationName: `${appName}:${role}`,
    ...(logger ? { logger } : {}),
    ...poolSettings(env, role),
  });
}

/** The three pools of a service. */
export function createServicePools(env: PoolEnv, appName: string, logger?: Logger): ServicePools {
  return {
    ingest: createServicePool(env, 'ingest', appName, logger),
    queries: createServicePool(env, 'queries', appName, logger),
    background: createServicePool(env, 'background', appName, logger),
  };
}

/** Ends every pool that is still open. */
export async function endPools(pools: Partial<ServicePools>): Promise<void> {
  await Promise.all(Object.values(pools).map((pool) => (pool.ended ? undefined : pool.end())));
}
