-- Outbox messages the broker refused for their size, set aside with the reason so the messages after them go out.
CREATE TABLE outbox_failed (
  position   bigint PRIMARY KEY,
  topic      text NOT NULL,
  key        text,
  headers    jsonb NOT NULL,
  payload    jsonb NOT NULL,
  size_bytes integer NOT NULL,
  reason     text NOT NULL,
  created_at timestamptz NOT NULL,
  failed_at  timestamptz NOT NULL DEFAULT now()
);
