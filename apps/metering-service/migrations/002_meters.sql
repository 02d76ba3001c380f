-- Meters as their event streams say they are now: what GET, list and the usage queries read.
CREATE TABLE meters (
  id              text NOT NULL UNIQUE,
  organization_id text NOT NULL,
  mode            text NOT NULL,
  code            text NOT NULL,
  name            text NOT NULL,
  event_name      text NOT NULL,
  aggregation     text NOT NULL,
  property        text,
  filters         jsonb NOT NULL,
  group_by        jsonb NOT NULL,
  status          text NOT NULL,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  archived_at     timestamptz,
  PRIMARY KEY (organization_id, mode, code)
);
