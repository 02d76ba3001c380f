import { fileURLToPath } from 'node:url';
import { Topics } from '@afternoon/contracts/topics';
import { projectionsOf, type RunningService, type Slice, startService } from '@afternoon/service-kit';
import { webhookEndpointsSlice } from './endpoints';
import type { NotificationServiceEnv } from './env';

/** The service's slices; the endpoints decide URLs by the environment's policy. */
function notificationSlices(env: Pick<NotificationServiceEnv, 'WEBHOOK_ALLOW_HTTP'>): Slice[] {
  return [webhookEndpointsSlice({ allowHttpInLiveMode: env.WEBHOOK_ALLOW_HTTP })];
}
// The projections are the same whatever the policy, and a rebuild reads only the database settings.
export const notificationProjections = projectionsOf(notificationSlices({ WEBHOOK_ALLOW_HTTP: false }));
export const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));

export function startNotificationService(env: NotificationServiceEnv): Promise<RunningService> {
  return startService({
    name: 'notification-service',
    env,
    migrationsDir,
    commands: {
      commandsTopic: Topics.notificationCommands,
      deadLetterTopic: Topics.notificationCommandsDeadLetter,
      eventsTopic: Topics.notificationEvents,
      repliesTopic: Topics.gatewayReplies,
    },
    slices: notificationSlices(env),
  });
}
