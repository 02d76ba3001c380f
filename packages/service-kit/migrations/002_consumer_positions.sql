-- The Kafka timestamp of the last record a group handled per partition: with broker append times on the topic,
-- everything appended before it is handled, which is how far a consumer has "processed through".
ALTER TABLE consumer_offsets ADD COLUMN last_record_at timestamptz;
