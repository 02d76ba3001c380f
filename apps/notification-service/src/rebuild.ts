import { rebuildProjections, runRebuild } from '@afternoon/service-kit';
import { migrationsDir, notificationProjections } from './app';
import { NotificationServiceEnv } from './env';

await runRebuild({
  name: 'notification-service',
  // Rebuilding needs only the database and its pool settings, not Kafka.
  env: NotificationServiceEnv.pick({
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
    const replayed = await rebuildProjections(pool, notificationProjections);
    return `rebuilt ${notificationProjections.length} projection(s) from ${replayed} events`;
  },
});
