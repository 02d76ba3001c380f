-- Tenants and their API keys (only the SHA-256 of each key is kept).
CREATE TABLE organizations (
  id         text PRIMARY KEY,
  name       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
  id              text PRIMARY KEY,
  organization_id text NOT NULL REFERENCES organizations (id),
  mode            text NOT NULL CHECK (mode IN ('live', 'test')),
  key_hash        text NOT NULL UNIQUE,
  last4           text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  revoked_at      timestamptz
);
CREATE INDEX api_keys_by_organization ON api_keys (organization_id);

-- What a client's Idempotency-Key stood for: the request's fingerprint, the command sent, and the answer given.
CREATE TABLE idempotency_keys (
  organization_id text NOT NULL,
  mode            text NOT NULL,
  key             text NOT NULL,
  request_hash    text NOT NULL,
  command         jsonb NOT NULL,
  response_status integer,
  response_body   jsonb,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, mode, key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
