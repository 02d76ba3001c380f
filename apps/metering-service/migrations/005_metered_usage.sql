-- What metering has told the platform about on `usage.metered`: per ingest partition, the offset before which every
-- stored event was published. A rebuild empties usage_events and replays the ingest topic, storing each event anew;
-- this table is not emptied, so the replay does not publish what was published already (the meters of the replay
-- may differ from those the first publication named, and invoicing rated by those).
CREATE TABLE usage_metered_through (
  topic       text NOT NULL,
  partition   integer NOT NULL,
  next_offset bigint NOT NULL,
  PRIMARY KEY (topic, partition)
);

-- `GET /usage/outcome` finds a stored event by the record it came from.
CREATE INDEX usage_events_source ON usage_events (source);
