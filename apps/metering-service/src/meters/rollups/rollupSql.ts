import { numericAggregations } from '@afternoon/contracts/meters';
import { windowStartSql } from '../windowStartSql';

/** The UTC hour an event's timestamp falls in: the rollup's `hour`. */
const utcHourOf = (timestamp: string) => windowStartSql('hour', timestamp);

const numeric = numericAggregations.map((aggregation) => `'${aggregation}'`).join(', ');

const newestFirst = 'e."timestamp" DESC, e.received_at DESC, e.idempotency_key DESC';
const newer = `stored.latest_at IS NULL OR (EXCLUDED.latest_at, EXCLUDED.latest_received_at, EXCLUDED.latest_key)
                 > (stored.latest_at, stored.latest_received_at, stored.latest_key)`;

/**
 * The hourly rollup rows of `events` (a relation shaped like usage_events) for the meters in `meters` (a relation
 * shaped like the meters table): the same arithmetic the raw-event query does, per hour and group, added to what
 * is already there. Must stay in step with `rawParts` in getMeterUsage/meterUsageSql.ts; a test compares the two.
 */
export function addToHourlyRollupSql(events: string, meters: string): string {
  return `
    INSERT INTO meter_usage_hourly AS stored
      (organization_id, mode, meter_id, customer_id, hour, group_key, included_count, value_sum, value_min, value_max,
       latest_at, latest_received_at, latest_key, latest_value, missing_property, not_numeric)
    SELECT m.organization_id, m.mode, m.id, e.customer_id, ${utcHourOf('e."timestamp"')}, k.group_key,
           count(*) FILTER (WHERE c.included),
           sum(c.amount) FILTER (WHERE c.included),
           min(c.amount) FILTER (WHERE c.included),
           max(c.amount) FILTER (WHERE c.included),
           (array_agg(e."timestamp" ORDER BY ${newestFirst}) FILTER (WHERE c.included))[1],
           (array_agg(e.received_at ORDER BY ${newestFirst}) FILTER (WHERE c.included))[1],
           (array_agg(e.idempotency_key ORDER BY ${newestFirst}) FILTER (WHERE c.included))[1],
           (array_agg(c.amount ORDER BY ${newestFirst}) FILTER (WHERE c.included))[1],
           count(*) FILTER (WHERE c.missing_property),
           count(*) FILTER (WHERE c.not_numeric)
      ${meterEvents(events, meters)}
     GROUP BY m.organization_id, m.mode, m.id, e.customer_id, ${utcHourOf('e."timestamp"')}, k.group_key
    ${addedToStored}`;
}

/** What an hour and group of new events adds to the row already stored for them, if any. */
const addedToStored = `ON CONFLICT (organization_id, mode, meter_id, customer_id, hour, group_key) DO UPDATE SET
      included_count = stored.included_count + EXCLUDED.included_count,
      value_sum = coalesce(stored.value_sum + EXCLUDED.value_sum, stored.value_sum, EXCLUDED.value_sum),
      value_min = least(stored.value_min, EXCLUDED.value_min),
      value_max = greatest(stored.value_max, EXCLUDED.value_max),
      latest_at = CASE WHEN ${newer} THEN EXCLUDED.latest_at ELSE stored.latest_at END,
      latest_received_at = CASE WHEN ${newer} THEN EXCLUDED.latest_received_at ELSE stored.latest_received_at END,
      latest_key = CASE WHEN ${newer} THEN EXCLUDED.latest_key ELSE stored.latest_key END,
      latest_value = CASE WHEN ${newer} THEN EXCLUDED.latest_value ELSE stored.latest_value END,
      missing_property = stored.missing_property + EXCLUDED.missing_property,
      not_numeric = stored.not_numeric + EXCLUDED.not_numeric`;

/**
 * One statement adding rows `$1`…`$13` (parallel arrays, one element per event and meter counting it, worked out by
 * `meterTakes`) to the hourly rollups and unique_count values: the same aggregates per hour and group as
 * `addToHourlyRollupSql`, from quantities already taken, so Postgres neither reads the events' properties again nor
 * joins them to the meters.
 */
export const addTakenToRollupsSql = `
    WITH taken AS (
      SELECT organization_id, mode, meter_id, customer_id, ${utcHourOf('"timestamp"')} AS hour,
             group_key::jsonb AS group_key, "timestamp", received_at, idempotency_key, included, amount,
             missing_property, not_numeric, distinct_value::jsonb AS distinct_value
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[],
                    $8::text[], $9::bool[], $10::numeric[], $11::bool[], $12::bool[], $13::text[])
          AS t (organization_id, mode, meter_id, customer_id, group_key, "timestamp", received_at, idempotency_key,
                included, amount, missing_property, not_numeric, distinct_value)),
    hourly AS (
      INSERT INTO meter_usage_hourly AS stored
        (organization_id, mode, meter_id, customer_id, hour, group_key, included_count, value_sum, value_min,
         value_max, latest_at, latest_received_at, latest_key, latest_value, missing_property, not_numeric)
      SELECT e.organization_id, e.mode, e.meter_id, e.customer_id, e.hour, e.group_key,
             count(*) FILTER (WHERE e.included),
             sum(e.amount) FILTER (WHERE e.included),
             min(e.amount) FILTER (WHERE e.included),
             max(e.amount) FILTER (WHERE e.included),
             (array_agg(e."timestamp" ORDER BY ${newestFirst}) FILTER (WHERE e.included))[1],
             (array_agg(e.received_at ORDER BY ${newestFirst}) FILTER (WHERE e.included))[1],
             (array_agg(e.idempotency_key ORDER BY ${newestFirst}) FILTER (WHERE e.included))[1],
             (array_agg(e.amount ORDER BY ${newestFirst}) FILTER (WHERE e.included))[1],
             count(*) FILTER (WHERE e.missing_property),
             count(*) FILTER (WHERE e.not_numeric)
        FROM taken e
       GROUP BY e.organization_id, e.mode, e.meter_id, e.customer_id, e.hour, e.group_key
      ${addedToStored})
    INSERT INTO meter_usage_hourly_values (organization_id, mode, meter_id, customer_id, hour, group_key, value)
    SELECT DISTINCT organization_id, mode, meter_id, customer_id, hour, group_key, distinct_value
      FROM taken WHERE distinct_value IS NOT NULL
    ON CONFLICT DO NOTHING`;

/** The distinct values unique_count meters keep per hour and group. */
export function addToHourlyValuesSql(events: string, meters: string): string {
  return `
    INSERT INTO meter_usage_hourly_values (organization_id, mode, meter_id, customer_id, hour, group_key, value)
    SELECT DISTINCT m.organization_id, m.mode, m.id, e.customer_id, ${utcHourOf('e."timestamp"')},
           k.group_key, p.value
      ${meterEvents(events, meters)}
       AND m.aggregation = 'unique_count' AND c.included
    ON CONFLICT DO NOTHING`;
}

/** Each event with each meter of its tenant and name whose filters it passes, and how the meter takes it. */
function meterEvents(events: string, meters: string): string {
  return `
      FROM ${events} e
      JOIN ${meters} m ON m.organization_id = e.organization_id AND m.mode = e.mode AND m.event_name = e.event_name
      CROSS JOIN LATERAL (SELECT e.properties -> m.property AS value) p
      CROSS JOIN LATERAL (
        SELECT m.aggregation = 'count'
                 OR (p.value IS NOT NULL AND (m.aggregation = 'unique_count' OR jsonb_typeof(p.value) = 'number'))
                 AS included,
               m.aggregation <> 'count' AND p.value IS NULL AS missing_property,
               m.aggregation IN (${numeric}) AND jsonb_typeof(p.value) <> 'number' AS not_numeric,
               CASE WHEN m.aggregation IN (${numeric}) AND jsonb_typeof(p.value) = 'number'
                    THEN (p.value)::numeric END AS amount
      ) c
      CROSS JOIN LATERAL (
        SELECT coalesce(jsonb_agg(e.properties -> g.name ORDER BY g.position), '[]'::jsonb) AS group_key
          FROM jsonb_array_elements_text(m.group_by) WITH ORDINALITY AS g(name, position)
      ) k
     WHERE ${passesFiltersSql('e', 'm')}`;
}

/** Whether the event `event` (a usage_events row) passes every filter of the meter `meter` (a meters row). */
export function passesFiltersSql(event: string, meter: string): string {
  return `NOT EXISTS (
       SELECT 1 FROM jsonb_each(${meter}.filters) f WHERE NOT coalesce((${event}.properties -> f.key) <@ f.value, false)
     )`;
}
