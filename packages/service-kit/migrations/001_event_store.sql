-- The event store: one row per event, ordered per stream by version and globally by (transaction_id, position).
CREATE TABLE events (
  position        bigserial NOT NULL,
  transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
  stream_id       text NOT NULL,
  version         integer NOT NULL,
  event_id        text NOT NULL UNIQUE,
  type            text NOT NULL,
  data            jsonb NOT NULL,
  metadata        jsonb NOT NULL,
  organization_id text NOT NULL,
  mode            text NOT NULL,
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (stream_id, version)
);
CREATE INDEX events_global_order ON events (transaction_id, position);

-- Messages waiting to be published to Kafka, written in the same transaction as the events they carry.
CREATE TABLE outbox (
  position   bigserial PRIMARY KEY,
  topic      text NOT NULL,
  key        text,
  headers    jsonb NOT NULL DEFAULT '{}',
  payload    jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The next offset to handle per consumer group and partition, committed with the record's effects.
CREATE TABLE consumer_offsets (
  group_id    text NOT NULL,
  topic       text NOT NULL,
  partition   integer NOT NULL,
  next_offset bigint NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_id, topic, partition)
);

-- Commands already decided, with the reply they got, so a redelivered or retried command is answered again.
CREATE TABLE handled_commands (
  command_id      text PRIMARY KEY,
  organization_id text NOT NULL,
  reply           jsonb NOT NULL,
  handled_at      timestamptz NOT NULL DEFAULT now()
);
