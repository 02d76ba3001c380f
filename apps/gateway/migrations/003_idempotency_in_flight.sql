-- A key is in flight while the request named in claimed_by works on it; its claim lapses at locked_until (the
-- command's timeout), after which a retry may take the key over and re-send the stored command. Ingest stores no
-- command: a retry of a batch sends the same body again, which metering deduplicates by each event's key.
ALTER TABLE idempotency_keys
  ADD COLUMN claimed_by   text,
  ADD COLUMN locked_until timestamptz,
  ALTER COLUMN command DROP NOT NULL;
