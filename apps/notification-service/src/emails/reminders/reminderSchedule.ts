import type { InvoiceEmailKind } from '@afternoon/contracts/invoiceEmails';
import type { EmailReminders } from '@afternoon/contracts/notificationSettings';
import type { InvoicePayload } from '@afternoon/contracts/webhookCatalog';

const dayMs = 24 * 60 * 60 * 1000;

/** One reminder of an invoice: its kind, how many days from the due date, and when, on the customer's clock. */
export interface Reminder {
  kind: Extract<InvoiceEmailKind, 'reminder_before_due' | 'reminder_overdue'>;
  days: number;
  remindAt: Date;
}

/**
 * The reminders an invoice gets when it is finalized: at 00:00 UTC of the day `days` before or after its due date
 * (the due date's own day, whatever its time), earliest first. A reminder whose time is not after the finalization
 * (both on the customer's clock) is left out: it would come late or at once with the invoice.
 */
export function reminderSchedule(invoice: InvoicePayload, reminders: EmailReminders): Reminder[] {
  const { due_date, status_transitions } = invoice;
  if (!due_date || !status_transitions.finalized_at) return [];
  const dueDay = Date.parse(`${due_date.slice(0, 10)}T00:00:00.000Z`);
  const finalizedAt = Date.parse(status_transitions.finalized_at);
  const at = (kind: Reminder['kind'], days: number, sign: number): Reminder => ({
    kind,
    days,
    remindAt: new Date(dueDay + sign * days * dayMs),
  });
  return [
    ...reminders.before_due_days.map((days) => at('reminder_before_due', days, -1)),
    ...reminders.after_due_days.map((days) => at('reminder_overdue', days, 1)),
  ]
    .filter((reminder) => reminder.remindAt.getTime() > finalizedAt)
    .sort((a, b) => a.remindAt.getTime() - b.remindAt.getTime());
}
