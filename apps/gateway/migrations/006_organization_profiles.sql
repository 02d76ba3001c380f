-- How each organization presents itself on its invoices (the hosted page and the PDF): one row per organization,
-- shared by both modes as the organization is. A column left NULL is not shown (name: the organization's own).
CREATE TABLE organization_profiles (
  organization_id text PRIMARY KEY REFERENCES organizations (id),
  name            text,
  logo_url        text,
  accent_color    text,
  address         jsonb,
  tax_id          text,
  support_email   text,
  updated_at      timestamptz NOT NULL DEFAULT now()
);
