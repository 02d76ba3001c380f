-- Live rating and the credit ledger (docs/decisions/0015-credits-and-rating-live-in-invoicing.md), all projected from
-- `UsageRated` events, so a rebuild replays the same ledger.

-- Every usage event rated, with or without a cost: a republished one is recognised here and changes nothing.
-- cost: [{denomination: {type, code}, amount}] with exact decimal amounts (whole minor units for a currency).
CREATE TABLE rated_usage (
  usage_id        text PRIMARY KEY,
  organization_id text NOT NULL,
  mode            text NOT NULL,
  customer_id     text NOT NULL,
  "timestamp"     timestamptz NOT NULL,
  cost            jsonb NOT NULL
);

-- Each rating key's running total: the quantity rated so far in the period, and what of its cost credits did not
-- cover (owed). group_key is the group's canonical JSON, '' for a price on a meter without group_by.
CREATE TABLE rating_totals (
  subscription_id text NOT NULL,
  price_id        text NOT NULL,
  period_start    timestamptz NOT NULL,
  group_key       text NOT NULL,
  quantity        numeric NOT NULL,
  owed            numeric NOT NULL,
  PRIMARY KEY (subscription_id, price_id, period_start, group_key)
);

-- The ledger: one row per usage event, charge and grant drawn on (negative: returned to the grant). effective_at is
-- the usage event's timestamp, which is when a balance as of an instant counts it. A row is named by the UsageRated
-- event that decided it (its position in the event store) and its place in that event: the order draws were made
-- in, the same after a rebuild.
CREATE TABLE credit_debits (
  event_position  bigint NOT NULL,
  entry           integer NOT NULL,
  usage_id        text NOT NULL,
  grant_id        text NOT NULL,
  organization_id text NOT NULL,
  mode            text NOT NULL,
  customer_id     text NOT NULL,
  subscription_id text NOT NULL,
  price_id        text NOT NULL,
  period_start    timestamptz NOT NULL,
  group_key       text,
  amount          numeric NOT NULL,
  effective_at    timestamptz NOT NULL,
  PRIMARY KEY (event_position, entry)
);
CREATE INDEX credit_debits_of_grant ON credit_debits (grant_id, effective_at);
CREATE INDEX credit_debits_of_charge
  ON credit_debits (subscription_id, price_id, period_start, group_key, event_position, entry);
