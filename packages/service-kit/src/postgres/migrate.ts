import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { assertIdentifier, withTransaction } from './database';

const kitMigrations = fileURLToPath(new URL('../../migrations', import.meta.url));

/**
 * Creates the schema and applies the kit's tables (event store, outbox, offsets), then the service's own SQL files in
 * name order, each once.
 * An advisory lock keeps two instances starting together from applying the same file twice.
 */
export async function migrate(pool: pg.Pool, schema: string, serviceMigrationsDir: string): Promise<void> {
  assertIdentifier(schema);
  await withTransaction(pool, async (tx) => {
    // A migration may rewrite a large table, and a second instance waits here for the first one's: neither is a
    // request, so the pool's statement and lock timeouts do not apply to them.
    await tx.query('SET LOCAL statement_timeout = 0');
    await tx.query('SET LOCAL lock_timeout = 0');
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`migrate:${schema}`]);
    await tx.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await tx.query(`SET LOCAL search_path TO ${schema}`);
    await tx.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const applied = new Set(
      (await tx.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name),
    );
    const sources = [['kit', kitMigrations] as const, ['service', serviceMigrationsDir] as const];
    for (const [prefix, dir] of sources) {
      const files = (await readdir(dir)).filter((file) => file.endsWith('.sql')).sort();
      for (const file of files) {
        const name = `${prefix}/${file}`;
        if (applied.has(name)) continue;
        await tx.query(await readFile(join(dir, file), 'utf8'));
        await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [name]);
      }
    }
  });
}
