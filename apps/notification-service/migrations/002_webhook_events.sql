-- Every webhook event the catalog made from the other services' topics (and the deliveries' own), as it is sent:
-- `payload` is the exact body of every delivery. The id is a hash of the source, so a replayed topic inserts nothing.
CREATE TABLE webhook_events (
  id              text PRIMARY KEY,
  organization_id text NOT NULL,
  mode            text NOT NULL,
  type            text NOT NULL,
  version         integer NOT NULL,
  occurred_at     timestamptz NOT NULL,
  payload         jsonb NOT NULL,
  -- When the source record reached Kafka: a real time even for a customer on a test clock, and the same on replay.
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  -- The record it was made from (`<topic>/<partition>/<offset>`); null for the service's own (an endpoint disabled),
  -- which a rebuild of the catalog keeps.
  source          text
);
-- The events log: a tenant's last 30 days newest first, with or without a type.
CREATE INDEX webhook_events_log ON webhook_events (organization_id, mode, recorded_at DESC, id DESC);
CREATE INDEX webhook_events_log_by_type ON webhook_events (organization_id, mode, type, recorded_at DESC, id DESC);

-- What the catalog folds from the source streams to fill payloads their events leave out (an invoice's totals and
-- customer on `invoice.paid`, a grant's name on `credit_grant.voided`): one row per customer, invoice, subscription
-- and grant, its state as of stream `version`. Only events of the subject's own stream change it, so a replay folds
-- the same states whatever the order of the topics' partitions.
CREATE TABLE catalog_subjects (
  organization_id text NOT NULL,
  mode            text NOT NULL,
  kind            text NOT NULL,
  id              text NOT NULL,
  version         integer NOT NULL,
  state           jsonb NOT NULL,
  PRIMARY KEY (organization_id, mode, kind, id)
);

-- Where a rebuild found each catalog consumer: records before these offsets were turned into events already, so
-- replaying them records the events again without scheduling their deliveries a second time.
CREATE TABLE catalog_replayed_offsets (
  topic        text NOT NULL,
  partition    integer NOT NULL,
  next_offset  bigint NOT NULL,
  PRIMARY KEY (topic, partition)
);
