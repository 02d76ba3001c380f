import { SpanKind } from '@opentelemetry/api';
import pg from 'pg';
import type { Logger } from '../logger';
import { inSpan } from '../tracing/spans';

export type Queryable = pg.Pool | pg.PoolClient;
export type Transaction = pg.PoolClient;

const connectionTimeoutMs = 5_000;
// An idle open transaction would stall every ordered reader of the event store.
const idleInTransactionTimeoutMs = 60_000;

/** How long one statement may run and wait for a lock before Postgres cancels it; 0 means no limit. */
export interface StatementLimits {
  statementTimeoutMs: number;
  lockTimeoutMs: number;
}

/** The limits of a pool that serves requests and records (ADR 0007); the env's DB_*_TIMEOUT_MS override them. */
export const defaultStatementLimits: StatementLimits = { statementTimeoutMs: 15_000, lockTimeoutMs: 5_000 };

/**
 * A pool whose sessions work in one schema; the schema can live on its own server by changing the URL. Survives a
 * Postgres restart: a connection lost while idle or held is dropped (and, idle, logged) instead of ending the
 * process, the next query opens a new one, and waiting for a connection gives up after a few seconds.
 */
export function createPool(options: {
  url: string;
  schema: string;
  max?: number;
  applicationName: string;
  logger?: Logger;
  limits?: StatementLimits;
  /**
   * Commits without waiting for the WAL flush (`synchronous_commit = off`): a Postgres crash may forget the last
   * ~0.6 s of them. Only for what nothing depends on having kept (ADR 0049).
   */
  asynchronousCommit?: boolean;
}): pg.Pool {
  assertIdentifier(options.schema);
  const limits = options.limits ?? defaultStatementLimits;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    application_name: options.applicationName,
    connectionTimeoutMillis: connectionTimeoutMs,
    options: [
      `-c search_path=${options.schema}`,
      `-c idle_in_transaction_session_timeout=${idleInTransactionTimeoutMs}`,
      `-c statement_timeout=${limits.statementTimeoutMs}`,
      `-c lock_timeout=${limits.lockTimeoutMs}`,
      ...(options.asynchronousCommit ? ['-c synchronous_commit=off'] : []),
    ].join(' '),
  });
  // An 'error' event with no listener ends the process. The pool re-emits one for an idle connection; a connection
  // held by a caller (a transaction, a LISTEN) only emits on its client, and its caller sees the failure in its
  // next query, so that listener has nothing to add.
  pool.on('error', (error) => options.logger?.warn({ err: error }, 'an idle Postgres connection was lost'));
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

// SQLSTATE classes of a server that cannot serve now: connection exceptions (08), insufficient resources (53),
// operator intervention (57: shutting down, starting up, a statement cancelled by statement_timeout, 57014); and
// a lock wait past lock_timeout (55P03), the one code of its class (55) that says "busy" rather than "wrong".
const unavailableSqlStateClasses = new Set(['08', '53', '57']);
const lockNotAvailable = '55P03';
const unavailableNodeCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'EAI_AGAIN']);
// What pg and pg-pool throw without a code: a socket closed under a query, a client left broken by it, a pool
// that found no connection in time.
const unavailableMessages = /Connection terminated|not queryable|timeout exceeded when trying to connect/;

/**
 * Whether an error says the database is unreachable, unavailable or too busy right now (a statement or lock wait
 * past its timeout), rather than anything wrong with the query.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (/^[0-9A-Z]{5}$/.test(code))
      return code === lockNotAvailable || unavailableSqlStateClasses.has(code.slice(0, 2));
    if (unavailableNodeCodes.has(code)) return true;
  }
  return typeof message === 'string' && unavailableMessages.test(message);
}

const transactionSpan = { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql' } };

/** Runs `work` in one transaction (a span of the active trace, if any), committed if it resolves, else rolled back. */
export function withTransaction<T>(pool: pg.Pool, work: (tx: Transaction) => Promise<T>): Promise<T> {
  return inSpan('postgres transaction', transactionSpan, () => inTransaction(pool, 'BEGIN', work));
}

/**
 * `withTransaction` for reads that must agree with each other: one repeatable-read, read-only snapshot, begun in the
 * same statement as the transaction.
 */
export function withReadSnapshot<T>(pool: pg.Pool, read: (tx: Transaction) => Promise<T>): Promise<T> {
  const begin = 'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY';
  return inSpan('postgres transaction', transactionSpan, () => inTransaction(pool, begin, read));
}

async function inTransaction<T>(pool: pg.Pool, begin: string, work: (tx: Transaction) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Runs work inside a savepoint (a span of the active trace, if any) so a refusal can undo its partial writes and the
 * transaction goes on.
 */
export function withSavepoint<T>(tx: Transaction, work: () => Promise<T>): Promise<T> {
  return inSpan('postgres savepoint', transactionSpan, () => inSavepoint(tx, work));
}

async function inSavepoint<T>(tx: Transaction, work: () => Promise<T>): Promise<T> {
  await tx.query('SAVEPOINT command_work');
  try {
    const result = await work();
    await tx.query('RELEASE SAVEPOINT command_work');
    return result;
  } catch (error) {
    await tx.query('ROLLBACK TO SAVEPOINT command_work');
    throw error;
  }
}

export function assertIdentifier(name: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a safe SQL identifier: ${name}`);
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const pgError = error as { code?: string; constraint?: string };
  return pgError?.code === '23505' && (constraint === undefined || pgError.constraint === constraint);
}
