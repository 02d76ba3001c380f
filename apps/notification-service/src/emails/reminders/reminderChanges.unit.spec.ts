import { describe, expect, it } from 'vitest';
import { type ReminderChanges, reminderChanges, type ScheduledReminder } from './reminderChanges';
import type { Reminder } from './reminderSchedule';

const day = (n: number) => new Date(Date.UTC(2027, 0, n));
const before = (days: number): Reminder => ({ kind: 'reminder_before_due', days, remindAt: day(31 - days) });
const overdue = (days: number): Reminder => ({ kind: 'reminder_overdue', days, remindAt: day(31 + days) });
const had = (emailId: string, { kind, remindAt }: Reminder, standing: ScheduledReminder['standing'] = 'unsent') => ({
  emailId,
  kind,
  remindAt,
  standing,
});
const none: ReminderChanges = { moved: [], canceled: [], added: [] };

// Due 2027-01-31; the customer's clock reads 2027-01-10.
describe('reminderChanges', () => {
  const now = day(10);

  it('cancels every unsent reminder when none is wanted, and leaves the sent ones', () => {
    const scheduled = [had('a', before(3)), had('b', overdue(1)), had('c', before(25), 'sent')];
    expect(reminderChanges([], scheduled, now)).toEqual({ ...none, canceled: ['a', 'b'] });
  });

  it('keeps a reminder at a wanted time, moves the others earliest first and adds what is left', () => {
    const scheduled = [had('a', before(3)), had('b', before(7)), had('c', overdue(1))];
    const wanted = [before(7), before(5), before(2), overdue(2), overdue(4)];
    expect(reminderChanges(wanted, scheduled, now)).toEqual({
      moved: [
        { emailId: 'a', to: before(5) },
        { emailId: 'c', to: overdue(2) },
      ],
      canceled: [],
      added: [before(2), overdue(4)],
    });
  });

  it('adds only times still ahead on the customer’s clock, and none a sent reminder has', () => {
    // 25 days before is 01-06, before the clock; 10 before is 01-21, ahead, but sent already (a retry).
    const scheduled = [had('a', before(10), 'sent'), had('b', before(25), 'canceled')];
    expect(reminderChanges([before(25), before(10), before(1)], scheduled, now)).toEqual({
      ...none,
      added: [before(1)],
    });
  });

  it('moves no reminder to a time the clock has passed: it is canceled instead', () => {
    expect(reminderChanges([before(25)], [had('a', before(3))], now)).toEqual({ ...none, canceled: ['a'] });
  });

  it('changes nothing of reminders that follow the settings, due or not', () => {
    const scheduled = [had('a', before(25)), had('b', overdue(1)), had('c', before(3), 'sent')];
    expect(reminderChanges([before(25), before(3), overdue(1)], scheduled, now)).toEqual(none);
  });
});
