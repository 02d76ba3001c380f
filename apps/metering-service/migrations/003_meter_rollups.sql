-- Which definition of a meter its rollups were built for: a change of filters or groupings makes them stale until
-- the rollup builder has rebuilt them from the stored events. Queries use rollups only while they are current.
ALTER TABLE meters ADD COLUMN definition_version integer NOT NULL DEFAULT 1;
ALTER TABLE meters ADD COLUMN rollup_version integer;

-- Per meter, customer, UTC hour and group (the values of the meter's group_by properties, in order): what the
-- meter's events of that hour add up to. `included_count` counts the events the aggregation takes; the two
-- `*_property` counts the ones it leaves out and why.
CREATE TABLE meter_usage_hourly (
  organization_id    text NOT NULL,
  mode               text NOT NULL,
  meter_id           text NOT NULL,
  customer_id        text NOT NULL,
  hour               timestamptz NOT NULL,
  group_key          jsonb NOT NULL,
  included_count     bigint NOT NULL,
  value_sum          numeric,
  value_min          numeric,
  value_max          numeric,
  latest_at          timestamptz,
  latest_received_at timestamptz,
  latest_key         text,
  latest_value       numeric,
  missing_property   bigint NOT NULL,
  not_numeric        bigint NOT NULL,
  PRIMARY KEY (organization_id, mode, meter_id, customer_id, hour, group_key)
);

-- For unique_count meters: each distinct value seen per meter, customer, hour and group.
CREATE TABLE meter_usage_hourly_values (
  organization_id text NOT NULL,
  mode            text NOT NULL,
  meter_id        text NOT NULL,
  customer_id     text NOT NULL,
  hour            timestamptz NOT NULL,
  group_key       jsonb NOT NULL,
  value           jsonb NOT NULL,
  PRIMARY KEY (organization_id, mode, meter_id, customer_id, hour, group_key, value)
);
