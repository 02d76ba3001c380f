-- A webhook event is kept as the exact text the catalog made of it (compact JSON, its keys in the order they were
-- built): every delivery signs and sends these bytes and the events log shows them parsed. jsonb reordered the keys
-- and respaced them. An event recorded before keeps the text its deliveries were sent so far (jsonb's).
ALTER TABLE webhook_events ALTER COLUMN payload TYPE text USING payload::text;
ALTER TABLE webhook_events RENAME COLUMN payload TO body;

-- The subjects' states keep their keys' order too (json, not jsonb), so a payload made from a stored state is the one
-- made from the same state in memory, and replaying the topics makes the same bodies. A state folded before this
-- keeps jsonb's order until the catalog is rebuilt.
ALTER TABLE catalog_subjects ALTER COLUMN state TYPE json USING state::json;
