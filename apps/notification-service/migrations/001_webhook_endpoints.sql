-- Read model of webhook endpoints, scoped by organization and mode; deleted endpoints leave it. The signing secrets
-- are here so the sender can sign: `previous_secret` signs beside `secret` until `previous_secret_expires_at`.
CREATE TABLE webhook_endpoints (
  id                         text PRIMARY KEY,
  organization_id            text NOT NULL,
  mode                       text NOT NULL,
  url                        text NOT NULL,
  enabled_events             text[] NOT NULL,
  description                text,
  metadata                   jsonb NOT NULL DEFAULT '{}',
  status                     text NOT NULL DEFAULT 'enabled',
  disabled_reason            text,
  secret                     text NOT NULL,
  previous_secret            text,
  previous_secret_expires_at timestamptz,
  created_at                 timestamptz NOT NULL,
  updated_at                 timestamptz NOT NULL
);
CREATE INDEX webhook_endpoints_listing ON webhook_endpoints (organization_id, mode, created_at DESC, id DESC);
