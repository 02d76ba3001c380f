-- The email sender looks for due emails on each clock apart. A reminder on a test clock is due from when it is
-- scheduled (`next_attempt_at`) but waits for its clock to read `remind_at`, often for good: in one index of
-- everything pending by `next_attempt_at`, every look walked past all the waiting reminders to find the due emails.
-- Now the real clock's emails have their own index by due time, and a test clock's reminders are found from their
-- clock, by its time (email_test_clocks). The index of pending reminders by test clock alone served no query.
DROP INDEX IF EXISTS email_deliveries_due;
DROP INDEX IF EXISTS email_deliveries_of_test_clock;
CREATE INDEX email_deliveries_due_on_real_clock ON email_deliveries (next_attempt_at, id)
  WHERE status = 'pending' AND test_clock_id IS NULL;
CREATE INDEX email_deliveries_due_on_test_clock ON email_deliveries (organization_id, mode, test_clock_id, remind_at)
  WHERE status = 'pending' AND test_clock_id IS NOT NULL;
