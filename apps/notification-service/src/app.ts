import { fileURLToPath } from 'node:url';
import { Topics } from '@afternoon/contracts/topics';
import { projectionsOf, type RunningService, type Slice, startService } from '@afternoon/service-kit';
import { alertsSlice } from './alerts';
import { catalogSlice } from './catalog';
import { type DeliverySenderSettings, deliveriesSlice, deliverySenderSettings, SenderEnv } from './deliveries';
import { webhookEndpointsSlice } from './endpoints';
import type { NotificationServiceEnv } from './env';

/**
 * The service's slices; the endpoints decide URLs by the environment's policy, and the deliveries are sent with
 * `sender` (none where only the projections matter).
 */
function notificationSlices(
  env: Pick<NotificationServiceEnv, 'WEBHOOK_ALLOW_HTTP'>,
  sender: DeliverySenderSettings | null,
): Slice[] {
  return [
    webhookEndpointsSlice({ allowHttpInLiveMode: env.WEBHOOK_ALLOW_HTTP }),
    deliveriesSlice(sender),
    catalogSlice(sender?.now ?? (() => new Date())),
    alertsSlice,
  ];
}
// The projections are the same whatever the policy, and a rebuild reads only the database settings.
export const notificationProjections = projectionsOf(notificationSlices({ WEBHOOK_ALLOW_HTTP: false }, null));
export const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));

/** The parsed env; a caller that never tunes the webhook sender (a test) may leave its settings at their defaults. */
export type NotificationServiceSettings = Omit<NotificationServiceEnv, keyof SenderEnv> & Partial<SenderEnv>;

export interface NotificationServiceOptions {
  /** The webhook schedule's clock (the real one by default); tests hand in one they move forward. */
  now?: () => Date;
}

export function startNotificationService(
  settings: NotificationServiceSettings,
  options: NotificationServiceOptions = {},
): Promise<RunningService> {
  const env: NotificationServiceEnv = { ...SenderEnv.parse({}), ...settings };
  const now = options.now ?? (() => new Date());
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
    slices: notificationSlices(env, deliverySenderSettings(env, now)),
  });
}
