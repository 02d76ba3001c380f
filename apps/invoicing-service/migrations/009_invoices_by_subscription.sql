-- GET /v1/invoices?subscription_id=: a subscription's invoices, newest first.
CREATE INDEX invoices_by_subscription ON invoices (organization_id, mode, subscription_id, created_at DESC, id DESC)
  WHERE subscription_id IS NOT NULL;
