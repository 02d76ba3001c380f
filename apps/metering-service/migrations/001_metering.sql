-- Customers as customer-service announces them: enough to tell whose customer an event names.
CREATE TABLE known_customers (
  id              text PRIMARY KEY,
  organization_id text NOT NULL,
  mode            text NOT NULL,
  version         integer NOT NULL,
  deleted_at      timestamptz
);

-- Every accepted usage event, once: the key is the caller's idempotency key within its tenant, kept forever.
CREATE TABLE usage_events (
  organization_id text NOT NULL,
  mode            text NOT NULL,
  idempotency_key text NOT NULL,
  event_name      text NOT NULL,
  customer_id     text NOT NULL,
  "timestamp"     timestamptz NOT NULL,
  properties      jsonb NOT NULL,
  received_at     timestamptz NOT NULL,
  PRIMARY KEY (organization_id, mode, idempotency_key)
);
CREATE INDEX usage_events_listing ON usage_events (organization_id, mode, "timestamp" DESC, idempotency_key DESC);
CREATE INDEX usage_events_by_customer
  ON usage_events (organization_id, mode, customer_id, event_name, "timestamp" DESC);

-- Ingest records metering refused, with the reason; the same record also goes to the dead-letter topic.
CREATE TABLE rejected_events (
  id              bigserial PRIMARY KEY,
  source          text NOT NULL UNIQUE,
  organization_id text,
  mode            text,
  idempotency_key text,
  customer_id     text,
  reason          text NOT NULL,
  record          text,
  rejected_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rejected_events_listing ON rejected_events (organization_id, mode, id DESC);
