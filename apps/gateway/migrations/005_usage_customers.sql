-- The customers usage may name, from customer-service's events (`customer.events`): who exists, who was deleted,
-- and the test clock a test-mode customer lives on. Ingest checks a batch against it without asking a service
-- (ADR 0012). The gateway now consumes records, so its schema also holds the kit's tables (consumer offsets).
CREATE TABLE usage_customers (
  id              text PRIMARY KEY,
  organization_id text NOT NULL,
  mode            text NOT NULL,
  test_clock_id   text,
  deleted         boolean NOT NULL DEFAULT false,
  version         integer NOT NULL
);

-- Each test clock's time, from invoicing's test clock events (`invoice.events`): "now" for its customers' usage.
CREATE TABLE usage_test_clocks (
  id              text PRIMARY KEY,
  organization_id text NOT NULL,
  mode            text NOT NULL,
  frozen_time     timestamptz NOT NULL,
  version         integer NOT NULL
);
