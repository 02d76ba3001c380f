import { createServicePool, migrate, parseEnv, rebuildProjections } from '@afternoon/service-kit';
import { customerProjections, migrationsDir } from './app';
import { CustomerServiceEnv } from './env';

// Rebuilding needs only the database and its pool settings, not Kafka.
const env = parseEnv(
  CustomerServiceEnv.pick({
    DATABASE_URL: true,
    DB_SCHEMA: true,
    DB_STATEMENT_TIMEOUT_MS: true,
    DB_LOCK_TIMEOUT_MS: true,
    DB_BACKGROUND_STATEMENT_TIMEOUT_MS: true,
    DB_POOL_INGEST_MAX: true,
    DB_POOL_QUERIES_MAX: true,
    DB_POOL_BACKGROUND_MAX: true,
  }),
  process.env,
);
const pool = createServicePool(env, 'background', 'customer-service-rebuild');
await migrate(pool, env.DB_SCHEMA, migrationsDir);
const replayed = await rebuildProjections(pool, customerProjections);
console.log(`customer-service: rebuilt ${customerProjections.length} projection(s) from ${replayed} events`);
await pool.end();
