import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import './providedContext';

/** A name no other test (or earlier run) uses: for schemas, topic prefixes and consumer groups. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** The real cluster the global setup resolved. */
export function testInfra(): { kafkaBrokers: string[]; databaseUrl: string } {
  return { kafkaBrokers: inject('kafkaBrokers').split(','), databaseUrl: inject('databaseUrl') };
}

/** The internal token every app of a test shares (an app refuses to start without one). */
export const testInternalApiToken = 'internal_api_token_for_tests';

/** The environment an app under test gets: its own schema and topic namespace on the shared cluster. */
export function serviceEnv(schema: string, topicPrefix: string) {
  const { kafkaBrokers, databaseUrl } = testInfra();
  return {
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: kafkaBrokers,
    TOPIC_PREFIX: topicPrefix,
    KAFKA_REPLICATION_FACTOR: 1,
    KAFKA_MIN_INSYNC_REPLICAS: 1,
    KAFKA_SSL: false,
    INTERNAL_HOST: '127.0.0.1',
    INTERNAL_API_TOKEN: testInternalApiToken,
    DB_SCHEMA: schema,
    DB_STATEMENT_TIMEOUT_MS: 15_000,
    DB_LOCK_TIMEOUT_MS: 5_000,
    DB_BACKGROUND_STATEMENT_TIMEOUT_MS: 300_000,
    DB_POOL_INGEST_MAX: 5,
    DB_POOL_QUERIES_MAX: 3,
    DB_POOL_BACKGROUND_MAX: 4,
    LOG_LEVEL: 'warn' as const,
    PORT: 0,
  };
}

/** Drops schemas a test created; tests call it in afterAll. */
export async function dropSchemas(...schemas: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: testInfra().databaseUrl });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
