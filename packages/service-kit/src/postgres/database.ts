import pg from 'pg';

export type Queryable = pg.Pool | pg.PoolClient;
export type Transaction = pg.PoolClient;

/** A pool whose sessions work in one schema; the schema can live on its own server by changing the URL. */
export function createPool(options: { url: string; schema: string; max?: number; applicationName: string }): pg.Pool {
  assertIdentifier(options.schema);
  return new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    application_name: options.applicationName,
    // An idle open transaction would stall every ordered reader of the event store.
    options: `-c search_path=${options.schema} -c idle_in_transaction_session_timeout=60000`,
  });
}

export async function withTransaction<T>(pool: pg.Pool, work: (tx: Transaction) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
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

/** Runs work inside a savepoint so a refusal can undo its partial writes and the transaction goes on. */
export async function withSavepoint<T>(tx: Transaction, work: () => Promise<T>): Promise<T> {
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
