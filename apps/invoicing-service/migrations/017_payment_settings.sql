-- Payment settings an organization has set (per mode); absent means the defaults. Stripe's secrets are kept as the
-- gateway sealed them (AES-256-GCM under PAYMENT_SECRETS_KEY): this schema never holds one in plaintext.
CREATE TABLE payment_settings (
  organization_id     text NOT NULL,
  mode                text NOT NULL,
  stripe              jsonb,
  bank_transfer       jsonb,
  retry_schedule      jsonb NOT NULL,
  after_final_failure text NOT NULL,
  updated_at          timestamptz NOT NULL,
  PRIMARY KEY (organization_id, mode)
);
