import { runRebuild } from '@afternoon/service-kit';
import { migrationsDir, notificationProjections } from './app';
import { NotificationServiceEnv } from './env';
import { rebuildNotifications } from './rebuildNotifications';

await runRebuild({
  name: 'notification-service',
  // Rebuilding serves no internal API: it needs no INTERNAL_API_TOKEN.
  env: NotificationServiceEnv.omit({ INTERNAL_API_TOKEN: true }),
  migrationsDir,
  async rebuild({ env, pool, kafka }) {
    const { events } = await rebuildNotifications({ pool, kafka: kafka(env), topicPrefix: env.TOPIC_PREFIX });
    return `rebuilt ${notificationProjections.length} projection(s) from ${events} events; the events log, the alerts' totals and the test clocks' times are replayed from Kafka when it next starts`;
  },
});
