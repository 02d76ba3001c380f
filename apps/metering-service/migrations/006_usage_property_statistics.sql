-- The planner never reads statistics of `properties`: a meter's filters and values are expressions on it, which
-- column statistics do not describe. Gathering them was about 40% of each `ANALYZE usage_events` (a million rows,
-- measured), which metering's statistics loop runs every 10 s while ingest goes on (ADR 0039).
ALTER TABLE usage_events ALTER COLUMN properties SET STATISTICS 0;
