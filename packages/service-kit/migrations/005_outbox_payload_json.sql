-- The outbox keeps each payload as the JSON text it was queued with (json, not jsonb): a row is written once, read
-- once as a whole by the relay and deleted, so jsonb's binary form was built on insert and turned back into text
-- on read for nothing. For metering's usage.metered records (hundreds of KB a batch) that was the costliest part of
-- the insert. Readers see the same JSON; keys keep the order they were written in.
ALTER TABLE outbox ALTER COLUMN payload TYPE json USING payload::json;
