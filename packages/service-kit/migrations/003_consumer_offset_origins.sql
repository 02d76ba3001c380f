-- The Kafka cluster a group's stored offsets of a topic were read from: offsets from another cluster (a new broker
-- under an old database) would skip every record of the new topic as already handled. See docs/decisions/0002.
CREATE TABLE consumer_offset_origins (
  group_id    text NOT NULL,
  topic       text NOT NULL,
  cluster_id  text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_id, topic)
);
