import { rebuildProjections, runRebuild } from '@afternoon/service-kit';
import { rebuildAlertTotals } from './alerts/rebuildAlertTotals';
import { migrationsDir, notificationProjections } from './app';
import { rebuildCatalog } from './catalog/rebuildCatalog';
import { NotificationServiceEnv } from './env';

await runRebuild({
  name: 'notification-service',
  // Rebuilding serves no internal API: it needs no INTERNAL_API_TOKEN.
  env: NotificationServiceEnv.omit({ INTERNAL_API_TOKEN: true }),
  migrationsDir,
  async rebuild({ env, pool, kafka }) {
    const consumed = { pool, kafka: kafka(env), topicPrefix: env.TOPIC_PREFIX };
    await rebuildCatalog(consumed);
    await rebuildAlertTotals(consumed);
    const replayed = await rebuildProjections(pool, notificationProjections);
    return `rebuilt ${notificationProjections.length} projection(s) from ${replayed} events; the events log and the alerts' totals are replayed from Kafka when it next starts`;
  },
});
