-- Read model of live customers, one row each, scoped by organization and mode; deleted customers leave it.
CREATE TABLE customers (
  id               text PRIMARY KEY,
  organization_id  text NOT NULL,
  mode             text NOT NULL,
  name             text NOT NULL,
  first_name       text,
  last_name        text,
  email            text,
  phone            text,
  url              text,
  external_id      text,
  billing_address  jsonb,
  shipping_address jsonb,
  metadata         jsonb NOT NULL DEFAULT '{}',
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL
);
CREATE UNIQUE INDEX customers_external_id_unique ON customers (organization_id, mode, external_id)
  WHERE external_id IS NOT NULL;
CREATE INDEX customers_listing ON customers (organization_id, mode, created_at DESC, id DESC);
CREATE INDEX customers_by_email ON customers (organization_id, mode, email);
