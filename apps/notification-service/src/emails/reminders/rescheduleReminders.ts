import { InvoiceEmailEvent } from '@afternoon/contracts/invoiceEmails';
import type { EventMetadata } from '@afternoon/contracts/messaging';
import { noEmailReminders } from '@afternoon/contracts/notificationSettings';
import { foldEvents, readStream, type Tenant, type Transaction } from '@afternoon/service-kit';
import type { DeliveryOutbox } from '../../deliveries/deliveryEvents';
import {
  emailDeliveryStream,
  emailIdOf,
  evolveEmailDelivery,
  initialEmailDeliveryState,
  type ScheduledEmailState,
} from '../emailDelivery';
import { recordEmailEvents } from '../emailEvents';
import { getNotificationSettings } from '../settings/getNotificationSettings';
import { type RemindableInvoice, remindableInvoices } from './invoiceReminders';
import { type ReminderChanges, reminderChanges } from './reminderChanges';
import { type Reminder, reminderSchedule } from './reminderSchedule';

const emailDelivery = { initialState: initialEmailDeliveryState, evolve: evolveEmailDelivery };

/**
 * Makes the reminders not yet sent of the tenant's open invoices follow its settings as they are now, in the
 * caller's transaction: each moved (`InvoiceEmailRescheduled`), canceled (`InvoiceEmailCanceled`, reason
 * `reminders_changed`) or added (`InvoiceEmailScheduled`, only for a time still ahead on the customer's clock) on
 * its email's stream. `settingsEventId` (the settings change it follows) names the emails it adds, so a redelivered
 * change adds none twice; one whose reminders already follow the settings records nothing.
 */
export async function rescheduleReminders(
  tx: Transaction,
  tenant: Tenant,
  outbox: DeliveryOutbox,
  settingsEventId: string,
  now: Date,
): Promise<void> {
  const settings = (await getNotificationSettings(tx, tenant)).email;
  const reminders = tenant.mode === 'test' && !settings.send_in_test_mode ? noEmailReminders : settings.reminders;
  const change: ChangeContext = {
    tenant,
    outbox,
    settingsEventId,
    now,
    metadata: {
      organization_id: tenant.organizationId,
      mode: tenant.mode,
      occurred_at: now.toISOString(),
      correlation_id: settingsEventId,
      causation_id: settingsEventId,
    },
  };
  for (const remindable of await remindableInvoices(tx, tenant, now)) {
    const wanted = reminderSchedule(remindable.invoice, reminders);
    const changes = reminderChanges(wanted, remindable.reminders, remindable.clockTime ?? new Date(0));
    await recordChanges(tx, remindable, changes, change);
  }
}

interface ChangeContext {
  tenant: Tenant;
  outbox: DeliveryOutbox;
  settingsEventId: string;
  now: Date;
  metadata: EventMetadata;
}

/** Records one invoice's changes; a reminder is due at its time on the real clock, at once on a test clock. */
async function recordChanges(
  tx: Transaction,
  remindable: RemindableInvoice,
  { moved, canceled, added }: ReminderChanges,
  change: ChangeContext,
): Promise<void> {
  const occurred_at = change.now.toISOString();
  const dueAt = (testClock: string | null, remindAt: Date) => (testClock ? change.now : remindAt).toISOString();
  for (const { emailId, to } of moved) {
    const testClock = remindable.reminders.find((reminder) => reminder.emailId === emailId)?.testClock ?? null;
    const data = { remind_at: to.remindAt.toISOString(), due_at: dueAt(testClock, to.remindAt), occurred_at };
    await recordIfUnsent(tx, change, emailId, (state) => ({
      type: 'InvoiceEmailRescheduled',
      data: { email_id: state.id, ...data },
    }));
  }
  for (const emailId of canceled)
    await recordIfUnsent(tx, change, emailId, (state) => ({
      type: 'InvoiceEmailCanceled',
      data: { email_id: state.id, invoice_status: 'open', reason: 'reminders_changed', occurred_at },
    }));
  for (const reminder of added)
    await addReminder(tx, remindable, reminder, dueAt(remindable.testClock, reminder.remindAt), change);
}

/** Records the event on the email's stream if the email is still pending and never attempted. */
async function recordIfUnsent(
  tx: Transaction,
  { tenant, outbox, metadata }: ChangeContext,
  emailId: string,
  change: (state: ScheduledEmailState) => InvoiceEmailEvent,
): Promise<void> {
  const stream = emailDeliveryStream(emailId);
  const history = (await readStream(tx, stream, tenant)).map((stored) => InvoiceEmailEvent.parse(stored));
  const state = foldEvents(emailDelivery, history);
  if (state.status !== 'pending' || state.attempts.length > 0) return;
  await recordEmailEvents(tx, outbox, stream, history.length, [change(state)], metadata);
}

/** Schedules a reminder the invoice did not have, made for its `invoice.finalized` as those scheduled then. */
async function addReminder(
  tx: Transaction,
  { invoice, eventId, testClock }: RemindableInvoice,
  { kind, days, remindAt }: Reminder,
  dueAt: string,
  { outbox, settingsEventId, metadata }: ChangeContext,
): Promise<void> {
  const emailId = emailIdOf(`${settingsEventId}/${invoice.id}`, `${kind}/${days}`);
  const stream = emailDeliveryStream(emailId);
  const known = await tx.query('SELECT 1 FROM events WHERE stream_id = $1 LIMIT 1', [stream]);
  if (known.rowCount !== 0 || !invoice.customer_email) return;
  const data = {
    email_id: emailId,
    kind,
    invoice_id: invoice.id,
    to: invoice.customer_email,
    event_id: eventId,
    invoice,
    due_at: dueAt,
    remind_at: remindAt.toISOString(),
    test_clock_id: testClock,
    occurred_at: metadata.occurred_at,
  };
  await recordEmailEvents(tx, outbox, stream, 0, [{ type: 'InvoiceEmailScheduled', data }], metadata);
}
