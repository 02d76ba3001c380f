-- Pricing units as their streams say they are: denominations credits are granted in besides currencies.
CREATE TABLE pricing_units (
  id                  text NOT NULL UNIQUE,
  organization_id     text NOT NULL,
  mode                text NOT NULL,
  code                text NOT NULL,
  name                text NOT NULL,
  currency_conversion jsonb,
  created_at          timestamptz NOT NULL,
  PRIMARY KEY (organization_id, mode, code)
);
CREATE INDEX pricing_units_listing ON pricing_units (organization_id, mode, created_at DESC, id DESC);

-- Credit grants as their streams leave them, with what rating drew from each (`consumed`, kept by the rating
-- projection): what remains is amount - consumed - expired - voided. A void or an expiry records the remainder
-- it removed, read under this row's lock, so a rebuild gives the same ledger whatever order its inputs came in.
CREATE TABLE credit_grants (
  id                text PRIMARY KEY,
  organization_id   text NOT NULL,
  mode              text NOT NULL,
  subscription_id   text NOT NULL,
  customer_id       text NOT NULL,
  name              text NOT NULL,
  denomination_type text NOT NULL,
  denomination_code text NOT NULL,
  amount            numeric NOT NULL,
  consumed          numeric NOT NULL DEFAULT 0,
  expired           numeric NOT NULL DEFAULT 0,
  voided            numeric NOT NULL DEFAULT 0,
  status            text NOT NULL,
  priority          integer NOT NULL,
  effective_at      timestamptz NOT NULL,
  expires_at        timestamptz,
  voided_at         timestamptz,
  expired_at        timestamptz,
  metadata          jsonb NOT NULL DEFAULT '{}',
  created_at        timestamptz NOT NULL
);
CREATE INDEX credit_grants_by_subscription
  ON credit_grants (organization_id, mode, subscription_id, created_at DESC, id DESC);
CREATE INDEX credit_grants_drawing
  ON credit_grants (organization_id, mode, customer_id, denomination_type, denomination_code);
CREATE INDEX credit_grants_expiry ON credit_grants (expires_at) WHERE status = 'active' AND expires_at IS NOT NULL;
-- The expiry loop finds test-clock customers from their clocks; few customers live on one.
CREATE INDEX invoice_customers_on_test_clocks ON invoice_customers (test_clock_id) WHERE test_clock_id IS NOT NULL;
