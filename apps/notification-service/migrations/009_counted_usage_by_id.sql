-- The usage events alerts counted, by usage id alone: a usage id is a hash of organization, mode and idempotency key
-- (`usageIdOf`), unique across tenants as invoicing's rated_usage already keys it. One narrow key per stored event
-- is about half the index (and insert) of the three-column one.
ALTER TABLE alert_counted_usage DROP CONSTRAINT alert_counted_usage_pkey;
ALTER TABLE alert_counted_usage DROP COLUMN organization_id, DROP COLUMN mode;
ALTER TABLE alert_counted_usage ADD PRIMARY KEY (usage_id);
