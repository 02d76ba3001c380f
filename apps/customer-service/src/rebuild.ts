import { rebuildProjections, runRebuild } from '@afternoon/service-kit';
import { customerProjections, migrationsDir } from './app';
import { CustomerServiceEnv } from './env';

await runRebuild({
  name: 'customer-service',
  // Rebuilding needs only the database and its pool settings, not Kafka.
  env: CustomerServiceEnv.pick({
    DATABASE_URL: true,
    DB_SCHEMA: true,
    DB_STATEMENT_TIMEOUT_MS: true,
    DB_LOCK_TIMEOUT_MS: true,
    DB_BACKGROUND_STATEMENT_TIMEOUT_MS: true,
    DB_POOL_INGEST_MAX: true,
    DB_POOL_QUERIES_MAX: true,
    DB_POOL_BACKGROUND_MAX: true,
  }),
  migrationsDir,
  async rebuild({ pool }) {
    const replayed = await rebuildProjections(pool, customerProjections);
    return `rebuilt ${customerProjections.length} projection(s) from ${replayed} events`;
  },
});
