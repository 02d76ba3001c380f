import { EmailSettingsChanges, ReminderDays } from '@afternoon/contracts/notificationSettings';
import { describe, expect, it } from 'vitest';
import { finalizedInvoice } from '../invoiceEmails.testing';
import { reminderSchedule } from './reminderSchedule';

describe('reminderSchedule', () => {
  // finalizedInvoice: finalized 2027-01-01T00:00Z, due 2027-01-31.
  it('reminds at 00:00 UTC of the days before and after the due date, earliest first', () => {
    const schedule = reminderSchedule(finalizedInvoice, { before_due_days: [3, 10], after_due_days: [7, 1] });
    expect(schedule.map(({ kind, days, remindAt }) => [kind, days, remindAt.toISOString()])).toEqual([
      ['reminder_before_due', 10, '2027-01-21T00:00:00.000Z'],
      ['reminder_before_due', 3, '2027-01-28T00:00:00.000Z'],
      ['reminder_overdue', 1, '2027-02-01T00:00:00.000Z'],
      ['reminder_overdue', 7, '2027-02-07T00:00:00.000Z'],
    ]);
  });

  it('counts from the due date’s day whatever its time of day', () => {
    const invoice = { ...finalizedInvoice, due_date: '2027-01-31T17:45:00.000Z' };
    const [reminder] = reminderSchedule(invoice, { before_due_days: [1], after_due_days: [] });
    expect(reminder?.remindAt.toISOString()).toBe('2027-01-30T00:00:00.000Z');
  });

  it('leaves out a reminder not after the finalization, and reminds of nothing without a due date', () => {
    // Due 30 days after finalization: 30 days before is the finalization itself, 31 before is earlier.
    expect(reminderSchedule(finalizedInvoice, { before_due_days: [30, 31], after_due_days: [] })).toEqual([]);
    expect(
      reminderSchedule({ ...finalizedInvoice, due_date: null }, { before_due_days: [3], after_due_days: [1] }),
    ).toEqual([]);
    expect(reminderSchedule(finalizedInvoice, { before_due_days: [], after_due_days: [] })).toEqual([]);
  });
});

describe('reminder days', () => {
  it('takes at most 5 distinct whole days from 1 to 90', () => {
    expect(ReminderDays.safeParse([1, 7, 30, 60, 90]).success).toBe(true);
    expect(ReminderDays.safeParse([]).success).toBe(true);
    for (const refused of [[0], [91], [1.5], [3, 3], [1, 2, 3, 4, 5, 6], ['3']])
      expect(ReminderDays.safeParse(refused).success, JSON.stringify(refused)).toBe(false);
  });

  it('reports every bad list at once, with its path', () => {
    const parsed = EmailSettingsChanges.safeParse({ reminders: { before_due_days: [0], after_due_days: [5, 5] } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toEqual([
      'reminders.before_due_days.0',
      'reminders.after_due_days',
    ]);
  });
});
