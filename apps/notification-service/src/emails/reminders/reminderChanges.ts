import type { Reminder } from './reminderSchedule';

/** A reminder an invoice has, as its email's read model tells it. */
export interface ScheduledReminder {
  emailId: string;
  kind: Reminder['kind'];
  remindAt: Date;
  /** `unsent`: pending, never attempted and not being sent, so it may still move or go; `sent` covers the rest. */
  standing: 'unsent' | 'sent' | 'canceled';
}

/** What the settings' reminders change of one invoice's: emails moved to another time, canceled, added. */
export interface ReminderChanges {
  moved: { emailId: string; to: Reminder }[];
  canceled: string[];
  added: Reminder[];
}

const kinds: readonly Reminder['kind'][] = ['reminder_before_due', 'reminder_overdue'];
const byTime = (a: { remindAt: Date }, b: { remindAt: Date }) => a.remindAt.getTime() - b.remindAt.getTime();

/**
 * Makes an invoice's reminders follow its schedule under the settings now (`wanted`), kind by kind: an unsent
 * reminder at a wanted time stays; the other unsent ones move, earliest first, to the wanted times no reminder has
 * yet that are still ahead on the customer's clock (`now`), and are canceled when none is left; a wanted time still
 * left is added. A sent reminder stays as it is, and its time is had. Applied to its own outcome, it changes nothing.
 */
export function reminderChanges(wanted: readonly Reminder[], scheduled: readonly ScheduledReminder[], now: Date) {
  const changes: ReminderChanges = { moved: [], canceled: [], added: [] };
  for (const kind of kinds) {
    const standing = scheduled.filter((reminder) => reminder.kind === kind && reminder.standing !== 'canceled');
    const had = new Set(standing.map((reminder) => reminder.remindAt.getTime()));
    const wantedOfKind = wanted.filter((reminder) => reminder.kind === kind);
    const wantedTimes = new Set(wantedOfKind.map((reminder) => reminder.remindAt.getTime()));
    const unwanted = standing
      .filter((reminder) => reminder.standing === 'unsent' && !wantedTimes.has(reminder.remindAt.getTime()))
      .sort(byTime);
    const free = wantedOfKind
      .filter((reminder) => !had.has(reminder.remindAt.getTime()) && reminder.remindAt > now)
      .sort(byTime);
    unwanted.forEach((reminder, index) => {
      const to = free[index];
      if (to) changes.moved.push({ emailId: reminder.emailId, to });
      else changes.canceled.push(reminder.emailId);
    });
    changes.added.push(...free.slice(unwanted.length));
  }
  return changes;
}
