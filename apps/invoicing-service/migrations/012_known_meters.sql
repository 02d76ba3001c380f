-- The meters metering's events describe (from `meter.events`): what a plan's price may bill. A code names one meter
-- of its organization and mode for good, archived or not.
CREATE TABLE known_meters (
  id              text PRIMARY KEY,
  organization_id text NOT NULL,
  mode            text NOT NULL,
  code            text NOT NULL,
  status          text NOT NULL,
  version         integer NOT NULL
);
CREATE UNIQUE INDEX known_meters_by_code ON known_meters (organization_id, mode, code);
