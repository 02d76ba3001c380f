-- Requests counted per organization and mode in fixed 60-second windows, shared by every gateway replica. The
-- layout (and column order) is rate-limiter-flexible's Postgres store: key `<prefix>:<organization>:<mode>`, points
-- consumed, and when the window ends in epoch milliseconds.
CREATE TABLE rate_limits (
  key    varchar(255) PRIMARY KEY,
  points integer NOT NULL DEFAULT 0,
  expire bigint
);

-- An organization's own limit per minute and mode; NULL follows RATE_LIMIT_PER_MINUTE, 0 is unlimited.
ALTER TABLE organizations ADD COLUMN rate_limit_per_minute integer CHECK (rate_limit_per_minute >= 0);
