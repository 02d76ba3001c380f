import { rebuildProjections, runRebuild } from '@afternoon/service-kit';
import { migrationsDir, notificationProjections } from './app';
import { rebuildCatalog } from './catalog/rebuildCatalog';
import { NotificationServiceEnv } from './env';

await runRebuild({
  name: 'notification-service',
  // Rebuilding serves no internal API: it needs no INTERNAL_API_TOKEN.
  env: NotificationServiceEnv.omit({ INTERNAL_API_TOKEN: true }),
  migrationsDir,
  async rebuild({ env, pool, kafka }) {
    await rebuildCatalog({ pool, kafka: kafka(env), topicPrefix: env.TOPIC_PREFIX });
    const replayed = await rebuildProjections(pool, notificationProjections);
    return `rebuilt ${notificationProjections.length} projection(s) from ${replayed} events; the events log is replayed from Kafka when it next starts`;
  },
});
