import { z } from 'zod';

/*
 * An organization's notification settings (per mode): whether and from where its customers are emailed their
 * `send_invoice` invoices and receipts. Kept by notification-service, one stream per organization and mode.
 */

/** Days before or after an invoice's due date: at most 5 distinct whole days from 1 to 90. */
export const ReminderDays = z
  .array(z.number().int().min(1).max(90))
  .max(5)
  .refine((days) => new Set(days).size === days.length, { message: 'days must be distinct' });
export type ReminderDays = z.infer<typeof ReminderDays>;

/** When an open `send_invoice` invoice's customer is reminded of it: `[3]` is 3 days before (or after) the due date. */
export const EmailReminders = z.object({ before_due_days: ReminderDays, after_due_days: ReminderDays });
export type EmailReminders = z.infer<typeof EmailReminders>;

export const noEmailReminders: EmailReminders = { before_due_days: [], after_due_days: [] };

/** The email settings as the API shows them; the defaults apply until the organization sets them. */
export const EmailSettings = z.object({
  /** The sender of every email; none is sent without it (the attempt fails with `no_from_address`). */
  from_address: z.email().nullable(),
  reply_to: z.email().nullable(),
  /** Email the invoice when a `send_invoice` invoice is finalized. */
  invoice_finalized: z.boolean(),
  /** Email a receipt when a `send_invoice` invoice is paid. */
  invoice_paid_receipt: z.boolean(),
  /** Test mode emails nothing unless this is true. */
  send_in_test_mode: z.boolean(),
  /** Settings recorded before reminders existed have none. */
  reminders: EmailReminders.default(noEmailReminders),
});
export type EmailSettings = z.infer<typeof EmailSettings>;

export const defaultEmailSettings: EmailSettings = {
  from_address: null,
  reply_to: null,
  invoice_finalized: true,
  invoice_paid_receipt: true,
  send_in_test_mode: false,
  reminders: noEmailReminders,
};

export const NotificationSettings = z.object({ email: EmailSettings, updated_at: z.iso.datetime().nullable() });
export type NotificationSettings = z.infer<typeof NotificationSettings>;

/** `GET /notification-settings` (internal), `GET` and `PATCH /v1/notification_settings`. */
export const NotificationSettingsAnswer = z.object({ notification_settings: NotificationSettings });
export type NotificationSettingsAnswer = z.infer<typeof NotificationSettingsAnswer>;

/** The email settings to change; one left out keeps its value (`reply_to: null` removes it). */
export const EmailSettingsChanges = z.strictObject({
  from_address: z.email().optional(),
  reply_to: z.email().nullable().optional(),
  invoice_finalized: z.boolean().optional(),
  invoice_paid_receipt: z.boolean().optional(),
  send_in_test_mode: z.boolean().optional(),
  /** Replaces the reminders; a list left out keeps its days (`[]` sends none). */
  reminders: z
    .strictObject({ before_due_days: ReminderDays.optional(), after_due_days: ReminderDays.optional() })
    .optional(),
});
export type EmailSettingsChanges = z.infer<typeof EmailSettingsChanges>;

/** `PATCH /v1/notification_settings`. */
export const UpdateNotificationSettingsBody = z.strictObject({ email: EmailSettingsChanges });
export type UpdateNotificationSettingsBody = z.infer<typeof UpdateNotificationSettingsBody>;

// Command and event (on `notification.commands` / `notification.events`), keyed by `<organization>-<mode>`

export const ConfigureNotifications = z.object({
  type: z.literal('ConfigureNotifications'),
  data: z.object({ email: EmailSettingsChanges }),
});
export type ConfigureNotifications = z.infer<typeof ConfigureNotifications>;

export const NotificationSettingsCommand = z.discriminatedUnion('type', [ConfigureNotifications]);
export type NotificationSettingsCommand = z.infer<typeof NotificationSettingsCommand>;

/** The full settings after the change. */
export const NotificationsConfigured = z.object({
  type: z.literal('NotificationsConfigured'),
  data: z.object({ email: EmailSettings, configured_at: z.iso.datetime() }),
});
export type NotificationsConfigured = z.infer<typeof NotificationsConfigured>;

export const NotificationSettingsEvent = z.discriminatedUnion('type', [NotificationsConfigured]);
export type NotificationSettingsEvent = z.infer<typeof NotificationSettingsEvent>;

export const notificationSettingsEventWireNames = {
  NotificationsConfigured: 'afternoon.notifications.v1.notifications_configured',
} as const satisfies Record<NotificationSettingsEvent['type'], string>;
