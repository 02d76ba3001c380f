-- The ingest ledger: what became of every record the ingest topic received, counted by the broker's append time
-- (the `received_at` usage is billed by). Each outcome remembers the record it came from (topic/partition/offset),
-- so handling a record again (a redelivery) never counts it twice.

-- The record a stored event came from: a later record with its key is a duplicate, the same record is not.
ALTER TABLE usage_events ADD COLUMN source text;
CREATE INDEX usage_events_received ON usage_events (organization_id, mode, received_at);

-- Records that repeated a stored key with the same content: nothing to store, but received and answered for.
CREATE TABLE usage_duplicates (
  source          text PRIMARY KEY,
  organization_id text NOT NULL,
  mode            text NOT NULL,
  idempotency_key text NOT NULL,
  received_at     timestamptz NOT NULL
);
CREATE INDEX usage_duplicates_received ON usage_duplicates (organization_id, mode, received_at);

-- When a refused record was appended, and why in a word (the reason keeps the detail). Rows from before this
-- migration take the time they were refused, which is when they were handled, not appended.
ALTER TABLE rejected_events ADD COLUMN received_at timestamptz;
ALTER TABLE rejected_events ADD COLUMN reason_code text;
UPDATE rejected_events SET received_at = rejected_at, reason_code = CASE
    WHEN reason LIKE 'invalid usage record:%' THEN 'invalid_record'
    WHEN reason LIKE 'unknown customer:%' THEN 'unknown_customer'
    WHEN reason LIKE 'customer deleted%' THEN 'customer_deleted'
    WHEN reason LIKE 'duplicate idempotency_key%' THEN 'conflicting_duplicate'
    ELSE 'unstorable_value'
  END;
ALTER TABLE rejected_events ALTER COLUMN received_at SET NOT NULL;
ALTER TABLE rejected_events ALTER COLUMN reason_code SET NOT NULL;
CREATE INDEX rejected_events_received ON rejected_events (organization_id, mode, received_at);
