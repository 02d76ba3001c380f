-- Subscriptions as their events leave them. Periods are not stored: they follow from the schedule (schedule_start,
-- plan_interval, billing_anchor_day) and the instant they are read at.
CREATE TABLE subscriptions (
  id                       text PRIMARY KEY,
  organization_id          text NOT NULL,
  mode                     text NOT NULL,
  customer_id              text NOT NULL,
  plan_code                text NOT NULL,
  plan_version             integer NOT NULL,
  plan_interval            text NOT NULL,
  status                   text NOT NULL,
  billing_anchor_day       integer NOT NULL,
  start_date               timestamptz NOT NULL,
  schedule_start           timestamptz NOT NULL,
  next_renewal_date        timestamptz,
  cancel_at                timestamptz,
  canceled_at              timestamptz,
  previous_subscription_id text,
  created_at               timestamptz NOT NULL,
  updated_at               timestamptz NOT NULL
);
-- One live (pending or active) subscription per customer and plan.
CREATE UNIQUE INDEX subscriptions_live_per_plan ON subscriptions (organization_id, mode, customer_id, plan_code)
  WHERE status IN ('pending', 'active');
CREATE INDEX subscriptions_listing ON subscriptions (organization_id, mode, created_at DESC, id DESC);
CREATE INDEX subscriptions_of_customer ON subscriptions (organization_id, mode, customer_id, created_at DESC, id DESC);
