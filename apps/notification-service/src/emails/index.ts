import {
  NotificationSettingsCommand as NotificationSettingsCommandSchema,
  NotificationSettingsEvent,
  notificationSettingsEventWireNames,
} from '@afternoon/contracts/notificationSettings';
import { type AggregateDefinition, commandTypesOf, type Slice } from '@afternoon/service-kit';
import type { z } from 'zod';
import { NotificationServiceEnv } from '../env';
import { emailRoutes } from './api';
import { type EmailSenderSettings, startEmailSender } from './emailSender';
import { emailDeliveriesProjection } from './getInvoiceEmails';
import { reminderSettingsConsumer } from './reminders/reminderSettingsConsumer';
import { testClockTimesConsumer } from './reminders/testClockTimes';
import { emailReplayCommandsConsumer } from './replayInvoiceEmails';
import { emailRetryAggregate } from './retryInvoiceEmail';
import { notificationSettingsProjection } from './settings/getNotificationSettings';
import {
  type NotificationSettingsCommand,
  type NotificationSettingsState,
  notificationSettingsDecider,
  notificationSettingsStream,
} from './settings/notificationSettings';

export type { EmailSenderSettings } from './emailSender';

export const notificationSettingsAggregate: AggregateDefinition<
  NotificationSettingsCommand,
  NotificationSettingsEvent,
  NotificationSettingsState
> = {
  commandTypes: commandTypesOf(NotificationSettingsCommandSchema),
  commandSchema: NotificationSettingsCommandSchema,
  eventSchema: NotificationSettingsEvent,
  eventWireNames: notificationSettingsEventWireNames,
  streamId: (command) => notificationSettingsStream(command.metadata.organization_id, command.metadata.mode),
  decider: notificationSettingsDecider,
  result: (state) =>
    state.status === 'configured'
      ? { notification_settings: { email: state.email, updated_at: state.updatedAt } }
      : null,
};

/**
 * Invoice emails: the organization's settings (by command), the customer's email scheduled when the catalog records
 * `invoice.finalized` (with its reminders, which follow the customer's test clock and the settings' later changes)
 * or `invoice.paid` (scheduleInvoiceEmails), retried by request (one, or a window of them), sent by the background
 * sender (with `sender`; null where only the projections matter) and read back as a log per invoice.
 */
export function emailsSlice(sender: EmailSenderSettings | null): Slice {
  return {
    name: 'emails',
    aggregates: [notificationSettingsAggregate, emailRetryAggregate],
    projections: [notificationSettingsProjection, emailDeliveriesProjection],
    consumers: [
      testClockTimesConsumer,
      emailReplayCommandsConsumer,
      reminderSettingsConsumer(sender?.now ?? (() => new Date())),
    ],
    routes: emailRoutes,
    background: sender ? [(context) => startEmailSender(context, sender)] : [],
  };
}

/** The environment's settings of the email sender. */
export const EmailEnv = NotificationServiceEnv.pick({
  SMTP_URL: true,
  GATEWAY_INTERNAL_URL: true,
  EMAIL_TIMEOUT_MS: true,
  EMAIL_SENDER_INTERVAL_MS: true,
});
export type EmailEnv = z.infer<typeof EmailEnv>;

/** The sender's settings from the environment, on the schedule's clock. */
export function emailSenderSettings(env: EmailEnv, now: () => Date): EmailSenderSettings {
  return {
    smtpUrl: env.SMTP_URL ?? null,
    gatewayUrl: env.GATEWAY_INTERNAL_URL,
    timeoutMs: env.EMAIL_TIMEOUT_MS,
    intervalMs: env.EMAIL_SENDER_INTERVAL_MS,
    // Long enough for the PDF and each SMTP stage to run out first.
    leaseMs: 5 * env.EMAIL_TIMEOUT_MS,
    batchSize: 10,
    now,
    random: Math.random,
  };
}
