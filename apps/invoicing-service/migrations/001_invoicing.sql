-- Customers as customer-service announces them, for invoicing's own use; deleted ones stay, marked.
CREATE TABLE invoice_customers (
  id               text PRIMARY KEY,
  organization_id  text NOT NULL,
  mode             text NOT NULL,
  name             text NOT NULL,
  email            text,
  billing_address  jsonb,
  shipping_address jsonb,
  version          integer NOT NULL,
  deleted_at       timestamptz
);

-- The last invoice number given per organization and mode; its row lock orders concurrent finalizes.
CREATE TABLE invoice_number_sequences (
  organization_id text NOT NULL,
  mode            text NOT NULL,
  last_number     integer NOT NULL,
  PRIMARY KEY (organization_id, mode)
);

-- Read model of invoices: the folded state (to apply the next event) and the public document (to answer reads).
CREATE TABLE invoices (
  id              text PRIMARY KEY,
  organization_id text NOT NULL,
  mode            text NOT NULL,
  customer_id     text NOT NULL,
  status          text NOT NULL,
  version         integer NOT NULL,
  state           jsonb NOT NULL,
  document        jsonb NOT NULL,
  created_at      timestamptz NOT NULL
);
CREATE INDEX invoices_listing ON invoices (organization_id, mode, created_at DESC, id DESC);
CREATE INDEX invoices_by_customer ON invoices (organization_id, mode, customer_id, created_at DESC, id DESC);
