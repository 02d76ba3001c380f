-- Read model of webhook deliveries (projected from the `webhook_delivery-<id>` streams) and the sender's schedule:
-- a pending delivery is due at `next_attempt_at`. `leased_until` is not projected: a sender sets it before a send so
-- no other instance sends the same delivery meanwhile, and a killed sender's delivery is due again once it passes.
CREATE TABLE webhook_deliveries (
  id              text PRIMARY KEY,
  organization_id text NOT NULL,
  mode            text NOT NULL,
  endpoint_id     text NOT NULL,
  event_id        text NOT NULL,
  event_type      text NOT NULL,
  cause           text NOT NULL,
  status          text NOT NULL,
  attempt_count   integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  leased_until    timestamptz,
  created_at      timestamptz NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_listing
  ON webhook_deliveries (organization_id, mode, endpoint_id, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_of_event ON webhook_deliveries (endpoint_id, event_id);

-- Every attempt of every delivery: the delivery log.
CREATE TABLE webhook_delivery_attempts (
  delivery_id     text NOT NULL,
  number          integer NOT NULL,
  organization_id text NOT NULL,
  mode            text NOT NULL,
  endpoint_id     text NOT NULL,
  attempted_at    timestamptz NOT NULL,
  succeeded       boolean NOT NULL,
  response_status integer,
  latency_ms      integer NOT NULL,
  response_body   text,
  error           text,
  PRIMARY KEY (delivery_id, number)
);
CREATE INDEX webhook_delivery_attempts_by_endpoint ON webhook_delivery_attempts (endpoint_id, attempted_at);
