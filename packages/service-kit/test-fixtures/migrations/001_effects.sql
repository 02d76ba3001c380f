-- A stand-in for a service's own tables: one row per effect a test handler has applied.
CREATE TABLE effects (
  id      bigserial PRIMARY KEY,
  source  text NOT NULL,
  payload text NOT NULL
);
