-- Read model of usage alerts, scoped by organization and mode; deleted alerts leave it.
CREATE TABLE alerts (
  id              text PRIMARY KEY,
  organization_id text NOT NULL,
  mode            text NOT NULL,
  name            text,
  meter_code      text NOT NULL,
  threshold       numeric NOT NULL,
  customer_id     text,
  scope           text NOT NULL,
  created_at      timestamptz NOT NULL
);
CREATE INDEX alerts_listing ON alerts (organization_id, mode, created_at DESC, id DESC);
CREATE INDEX alerts_by_meter ON alerts (organization_id, mode, meter_code);

-- Each (alert, customer, period) that reached its threshold, from `AlertThresholdReached`: at most once. A lifetime
-- alert's one period has a null start.
CREATE TABLE alert_notices (
  organization_id text NOT NULL,
  mode            text NOT NULL,
  alert_id        text NOT NULL,
  customer_id     text NOT NULL,
  period_start    timestamptz,
  usage_id        text NOT NULL,
  UNIQUE NULLS NOT DISTINCT (organization_id, mode, alert_id, customer_id, period_start)
);

-- A customer's running usage of a `count` or `sum` meter per period (billing_period scope: the period's start) and
-- ever (lifetime: a null start), for every meter, so an alert created mid-period counts the period's usage so far.
CREATE TABLE alert_usage (
  organization_id text NOT NULL,
  mode            text NOT NULL,
  customer_id     text NOT NULL,
  meter_code      text NOT NULL,
  period_start    timestamptz,
  period_end      timestamptz,
  quantity        numeric NOT NULL,
  UNIQUE NULLS NOT DISTINCT (organization_id, mode, customer_id, meter_code, period_start)
);

-- The usage events already counted: metering republishes the same usage ids after its own rebuild (ADR 0015).
CREATE TABLE alert_counted_usage (
  organization_id text NOT NULL,
  mode            text NOT NULL,
  usage_id        text NOT NULL,
  PRIMARY KEY (organization_id, mode, usage_id)
);

-- The customers' subscriptions as `invoice.events` describe them: what a billing period is cut by.
CREATE TABLE alert_subscriptions (
  id               text PRIMARY KEY,
  organization_id  text NOT NULL,
  mode             text NOT NULL,
  customer_id      text NOT NULL,
  plan_interval    text NOT NULL,
  billing_anchor_day integer NOT NULL,
  start_date       timestamptz NOT NULL,
  schedule_start   timestamptz NOT NULL,
  bridge_start     timestamptz,
  cancel_at        timestamptz,
  canceled_at      timestamptz,
  created_at       timestamptz NOT NULL
);
CREATE INDEX alert_subscriptions_by_customer ON alert_subscriptions (organization_id, mode, customer_id);
