import { fileURLToPath } from 'node:url';
import { dropSchemas, testInfra, uniqueName } from '@afternoon/testkit';
import type pg from 'pg';
import { createPool } from '../src/postgres/database';
import { migrate } from '../src/postgres/migrate';

/** The kit's tables and a test `effects` table. */
export const fixtureMigrations = fileURLToPath(new URL('./migrations', import.meta.url));

/** A fresh schema with the kit's tables and a test `effects` table, on the real Postgres. */
export async function kitDatabase(): Promise<{ pool: pg.Pool; schema: string; drop(): Promise<void> }> {
  const schema = uniqueName('kit');
  const pool = createPool({ url: testInfra().databaseUrl, schema, applicationName: 'kit-test' });
  await migrate(pool, schema, fixtureMigrations);
  return {
    pool,
    schema,
    async drop() {
      await pool.end();
      await dropSchemas(schema);
    },
  };
}
