-- A boundary the billing run sent more than once, or whose command was refused: its invoice does not exist yet, so
-- the subscription's later boundaries wait for it. Written by the run (not a projection) so a stuck boundary can be
-- seen; a row goes once the boundary is billed.
CREATE TABLE boundary_billing_attempts (
  subscription_id text NOT NULL,
  boundary timestamptz NOT NULL,
  organization_id text NOT NULL,
  mode text NOT NULL,
  attempts integer NOT NULL,
  last_error jsonb,
  first_sent_at timestamptz NOT NULL,
  last_sent_at timestamptz NOT NULL,
  PRIMARY KEY (subscription_id, boundary)
);
CREATE INDEX boundary_billing_attempts_by_tenant ON boundary_billing_attempts (organization_id, mode);
