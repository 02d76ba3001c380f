-- Billing settings an organization has set (per mode); absent means the service's defaults.
CREATE TABLE billing_settings (
  organization_id              text NOT NULL,
  mode                         text NOT NULL,
  invoice_grace_period_seconds integer NOT NULL,
  updated_at                   timestamptz NOT NULL,
  PRIMARY KEY (organization_id, mode)
);
