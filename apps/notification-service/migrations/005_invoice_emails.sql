-- Each organization's and mode's notification settings (projected from `notification_settings-<org>-<mode>`); a
-- tenant without a row has the defaults.
CREATE TABLE notification_settings (
  organization_id text NOT NULL,
  mode            text NOT NULL,
  email           jsonb NOT NULL,
  updated_at      timestamptz NOT NULL,
  PRIMARY KEY (organization_id, mode)
);

-- Read model of invoice emails (projected from the `email_delivery-<id>` streams) and the email sender's schedule:
-- a pending email is due at `next_attempt_at`. `leased_until` is not projected: the sender sets it before a send, as
-- the webhook sender does. `invoice` is the invoice as the email tells it.
CREATE TABLE email_deliveries (
  id              text PRIMARY KEY,
  organization_id text NOT NULL,
  mode            text NOT NULL,
  invoice_id      text NOT NULL,
  kind            text NOT NULL,
  recipient       text NOT NULL,
  event_id        text NOT NULL,
  invoice         jsonb NOT NULL,
  status          text NOT NULL,
  next_attempt_at timestamptz,
  leased_until    timestamptz,
  created_at      timestamptz NOT NULL
);
CREATE INDEX email_deliveries_due ON email_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX email_deliveries_of_invoice ON email_deliveries (organization_id, mode, invoice_id, created_at);

-- Every attempt of every email: the log.
CREATE TABLE email_delivery_attempts (
  email_id        text NOT NULL,
  number          integer NOT NULL,
  organization_id text NOT NULL,
  mode            text NOT NULL,
  attempted_at    timestamptz NOT NULL,
  succeeded       boolean NOT NULL,
  latency_ms      integer NOT NULL,
  smtp_response   text,
  error           text,
  PRIMARY KEY (email_id, number)
);
