-- Invoices a subscription made bill one boundary of its periods each; never two for the same boundary.
ALTER TABLE invoices ADD COLUMN subscription_id text, ADD COLUMN billing_boundary timestamptz;
CREATE UNIQUE INDEX invoices_one_per_subscription_boundary ON invoices (subscription_id, billing_boundary)
  WHERE subscription_id IS NOT NULL;

-- The last boundary billed, and whether the subscription has nothing left to bill (it ended and its end is billed).
-- usage_billed_through: the received-at cutoff of the usage billed so far; events received later are late usage.
ALTER TABLE subscriptions ADD COLUMN billed_through timestamptz, ADD COLUMN usage_billed_through timestamptz,
  ADD COLUMN billing_finished boolean NOT NULL DEFAULT false;
CREATE INDEX subscriptions_to_bill ON subscriptions (organization_id, mode) WHERE NOT billing_finished;

-- What a cancellation now does with fees paid in advance for the rest of its period.
ALTER TABLE subscriptions ADD COLUMN refund_policy text;
