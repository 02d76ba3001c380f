-- A reminder is due once its customer's clock reads `remind_at`: the clock of `test_clock_id` when the customer has
-- one (email_test_clocks), the real clock otherwise. Other emails have neither.
ALTER TABLE email_deliveries ADD COLUMN remind_at timestamptz, ADD COLUMN test_clock_id text;
CREATE INDEX email_deliveries_of_test_clock ON email_deliveries (test_clock_id) WHERE status = 'pending';

-- Each test clock's time (projected from invoicing's test clock events), which the reminders of its customers follow.
CREATE TABLE email_test_clocks (
  organization_id text NOT NULL,
  mode            text NOT NULL,
  id              text NOT NULL,
  frozen_time     timestamptz NOT NULL,
  PRIMARY KEY (organization_id, mode, id)
);
