import { fileURLToPath } from 'node:url';
import { Topics } from '@afternoon/contracts/topics';
import { projectionsOf, type RunningService, type Slice, startService } from '@afternoon/service-kit';
import { alertsSlice } from './alerts';
import { catalogSlice } from './catalog';
import { type DeliverySenderSettings, deliveriesSlice, deliverySenderSettings, SenderEnv } from './deliveries';
import { EmailEnv, type EmailSenderSettings, emailSenderSettings, emailsSlice } from './emails';
import { webhookEndpointsSlice } from './endpoints';
import type { NotificationServiceEnv } from './env';

/**
 * The service's slices; the endpoints decide URLs by the environment's policy, and the deliveries and emails are sent
 * with `sender` and `emailSender` (none where only the projections matter).
 */
function notificationSlices(
  env: Pick<NotificationServiceEnv, 'WEBHOOK_ALLOW_HTTP'>,
  sender: DeliverySenderSettings | null,
  emailSender: EmailSenderSettings | null,
): Slice[] {
  return [
    webhookEndpointsSlice({ allowHttpInLiveMode: env.WEBHOOK_ALLOW_HTTP }),
    deliveriesSlice(sender),
    catalogSlice(sender?.now ?? (() => new Date())),
    alertsSlice,
    emailsSlice(emailSender),
  ];
}
// The projections are the same whatever the policy, and a rebuild reads only the database settings.
export const notificationProjections = projectionsOf(notificationSlices({ WEBHOOK_ALLOW_HTTP: false }, null, null));
export const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));

/** The parsed env; a caller that never tunes the senders (a test) may leave their settings at their defaults. */
export type NotificationServiceSettings = Omit<NotificationServiceEnv, keyof SenderEnv | keyof EmailEnv> &
  Partial<SenderEnv & EmailEnv>;

export interface NotificationServiceOptions {
  /** The webhook schedule's clock (the real one by default); tests hand in one they move forward. */
  now?: () => Date;
}

export function startNotificationService(
  settings: NotificationServiceSettings,
  options: NotificationServiceOptions = {},
): Promise<RunningService> {
  const env: NotificationServiceEnv = { ...SenderEnv.parse({}), ...EmailEnv.parse({}), ...settings };
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
    slices: notificationSlices(env, deliverySenderSettings(env, now), emailSenderSettings(env, now)),
  });
}
