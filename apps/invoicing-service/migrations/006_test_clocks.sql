-- Test clocks as their events leave them.
CREATE TABLE test_clocks (
  id              text PRIMARY KEY,
  organization_id text NOT NULL,
  mode            text NOT NULL,
  name            text,
  frozen_time     timestamptz NOT NULL,
  status          text NOT NULL,
  created_at      timestamptz NOT NULL
);
CREATE INDEX test_clocks_advancing ON test_clocks (status) WHERE status = 'advancing';

-- Every advance, with the real instant it happened: usage received before `advanced_at` arrived while the clock
-- read `from_time`, which is how a clock's instant maps back to a received-at cutoff.
CREATE TABLE test_clock_advances (
  test_clock_id text NOT NULL,
  from_time     timestamptz NOT NULL,
  to_time       timestamptz NOT NULL,
  advanced_at   timestamptz NOT NULL,
  PRIMARY KEY (test_clock_id, to_time)
);

-- The clock a test-mode customer lives on (from customer-service's events).
ALTER TABLE invoice_customers ADD COLUMN test_clock_id text;
