-- Customers linked to the provider that charges their charge_automatically invoices (ADR 0021).
CREATE TABLE customer_payment_links (
  customer_id               text PRIMARY KEY,
  organization_id           text NOT NULL,
  mode                      text NOT NULL,
  provider                  text NOT NULL,
  stripe_customer_id        text NOT NULL,
  default_payment_method_id text,
  source                    text NOT NULL,
  linked_at                 timestamptz NOT NULL
);

-- The billing run's question each pass: the open charge_automatically invoices (to charge, or retry).
CREATE INDEX invoices_to_charge ON invoices (organization_id, mode, customer_id)
  WHERE status = 'open' AND document->>'collection_method' = 'charge_automatically';
