-- Dead-lettered records sent back to their source topic (`npm run cli -- dead-letters replay`), so a second
-- `replay --all` does not send them again. A dead letter is named by its id and its time: a topic recreated (or a new
-- cluster) starts its offsets again, and its records must not pass for ones already replayed.
CREATE TABLE dead_letter_replays (
  dead_letter_id    text NOT NULL,
  dead_lettered_at  timestamptz NOT NULL,
  target_topic      text NOT NULL,
  replays           integer NOT NULL,
  first_replayed_at timestamptz NOT NULL DEFAULT now(),
  last_replayed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (dead_letter_id, dead_lettered_at)
);
