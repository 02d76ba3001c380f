import { fileURLToPath } from 'node:url';
import { Topics } from '@afternoon/contracts/topics';
import { projectionsOf, type RunningService, type Slice, startService } from '@afternoon/service-kit';
import { catalogSlice } from './catalog';
import type { NotificationServiceEnv } from './env';

const notificationSlices: Slice[] = [catalogSlice];
export const notificationProjections = projectionsOf(notificationSlices);
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
    slices: notificationSlices,
  });
}
