import { type Aggregation, type Meter, numericAggregations, type UsageWindowSize } from '@afternoon/contracts/meters';
import { SqlParameters, type SqlQuery } from '@afternoon/service-kit';
import {
  countedEvents,
  hasReceivedWindow,
  meterEventConditions,
  type RangeSql,
  rangeOf,
  scopeCondition,
  type UsageScope,
} from '../countedEvents';
import { windowStartSql } from '../windowStartSql';

export interface MeterAggregateOptions {
  window?: UsageWindowSize;
  /** Properties to split the value by; each one of the meter's `group_by`. */
  groupBy: readonly string[];
  /** Split by customer too (the meter-wide ranking). */
  byCustomer?: boolean;
  /** Whether the meter's hourly rollup is current for its definition (see `withRollupSnapshot`). */
  rollupCurrent: boolean;
}

const hourMs = 3_600_000;

/** Where a question's answer is read from: raw events over some ranges, the hourly rollup over the whole hours. */
export interface PartRanges {
  raw: [Date, Date][];
  rollup?: [Date, Date];
}

/**
 * The rollup answers whole hours, and only when it is current for the meter's definition (`withRollupSnapshot`
 * decides) and the question has no received window (the rollup does not know when its events were received); the
 * partial hours at the edges of the range, and everything else, come from the raw events. An edge that is empty (a
 * range starting or ending on the hour) is left out: planning and probing the two cost Postgres ~0.25 ms a
 * statement, a third of reading a month of the rollup's hours.
 */
export function partRanges(scope: UsageScope, useRollup: boolean): PartRanges {
  const fullFrom = new Date(Math.ceil(scope.from.getTime() / hourMs) * hourMs);
  const fullTo = new Date(Math.floor(scope.to.getTime() / hourMs) * hourMs);
  if (!useRollup || hasReceivedWindow(scope) || fullFrom >= fullTo) return { raw: [[scope.from, scope.to]] };
  const edges: [Date, Date][] = [
    [scope.from, fullFrom],
    [fullTo, scope.to],
  ];
  return { raw: edges.filter(([from, to]) => from < to), rollup: [fullFrom, fullTo] };
}

/** Unions the answers of the raw events and of the hourly rollup over the scope's range, as `partRanges` splits it. */
function fromRawAndRollup(
  scope: UsageScope,
  params: SqlParameters,
  useRollup: boolean,
  raw: (where: string, range: RangeSql) => string,
  rollup: (where: string, range: RangeSql) => string,
): string {
  const where = scopeCondition(scope, params);
  const ranges = partRanges(scope, useRollup);
  const parts = ranges.raw.map(([from, to]) => raw(where, rangeOf(from, to, params)));
  if (ranges.rollup) parts.push(rollup(where, rangeOf(...ranges.rollup, params)));
  return parts.join('\nUNION ALL\n');
}

/**
 * The events the meter counts as "parts", one shape whether they come from the raw events or from the rollup:
 * (at, customer_id, group_key, included_count, value_sum, value_min, value_max, latest_*, value). `group_key` holds
 * the values of the meter's `group_by` properties in order, as the rollup stores them.
 */
function meterParts(meter: Meter, scope: UsageScope, params: SqlParameters, useRollup: boolean): string {
  return fromRawAndRollup(
    scope,
    params,
    useRollup,
    (where, range) => rawParts(meter, where, range, params),
    (where, range) => rollupParts(meter, where, range, params),
  );
}

/** The events in the range the meter counts, each as a part of one event. */
export function rawParts(meter: Meter, where: string, range: RangeSql, params: SqlParameters): string {
  const { conditions, value, amount } = countedEvents(meter, where, range, params);
  const groupKey = `jsonb_build_array(${meter.group_by.map((property) => `properties -> ${params.add(property)}`).join(', ')})`;
  return `SELECT "timestamp" AS at, customer_id, ${groupKey} AS group_key, 1::bigint AS included_count,
                 ${amount} AS value_sum, ${amount} AS value_min, ${amount} AS value_max, "timestamp" AS latest_at,
                 received_at AS latest_received_at, idempotency_key AS latest_key, ${amount} AS latest_value,
                 ${value} AS value
            FROM usage_events WHERE ${conditions.join(' AND ')}`;
}

/** The rollup's whole hours in the range; for unique_count, the distinct values it kept per hour. */
export function rollupParts(meter: Meter, where: string, range: RangeSql, params: SqlParameters): string {
  const hours = `meter_id = ${params.add(meter.id)} AND hour >= ${range.from} AND hour < ${range.to}`;
  if (meter.aggregation === 'unique_count') {
    return `SELECT hour AS at, customer_id, group_key, 1::bigint AS included_count, NULL::numeric AS value_sum,
                   NULL::numeric AS value_min, NULL::numeric AS value_max, NULL::timestamptz AS latest_at,
                   NULL::timestamptz AS latest_received_at, NULL::text AS latest_key, NULL::numeric AS latest_value,
                   value
              FROM meter_usage_hourly_values WHERE ${where} AND ${hours}`;
  }
  return `SELECT hour AS at, customer_id, group_key, included_count, value_sum, value_min, value_max, latest_at,
                 latest_received_at, latest_key, latest_value, NULL::jsonb AS value
            FROM meter_usage_hourly WHERE ${where} AND ${hours} AND included_count > 0`;
}

/** The aggregate over parts, exact in `numeric`. */
export function aggregateExpression(aggregation: Aggregation): string {
  switch (aggregation) {
    case 'count':
      return 'sum(included_count)::numeric';
    case 'sum':
      return 'sum(value_sum)';
    case 'min':
      return 'min(value_min)';
    case 'max':
      return 'max(value_max)';
    case 'avg':
      // Rounded half away from zero at 12 places: a mean need not be a finite decimal (1/3).
      return 'round(sum(value_sum) / sum(included_count), 12)';
    case 'unique_count':
      return 'count(DISTINCT value)::numeric';
    case 'latest':
      return '(array_agg(latest_value ORDER BY latest_at DESC, latest_received_at DESC, latest_key DESC))[1]';
    default: {
      const unknown: never = aggregation;
      return unknown;
    }
  }
}

/**
 * One statement answering every level at once with GROUPING SETS: the finest split (window × customer × groups),
 * each window, and the whole range. `level` is the GROUPING() bitmask over [bucket?, customer_id?, g0…]: 0 for the
 * finest rows, all ones for the total. Events without the property (or with a non-numeric one, for numeric
 * aggregations) are left out here and counted by `excludedEventsSql`. Its values go into `params`, where a caller
 * wrapping the statement adds its own after them.
 */
export function meterAggregateSql(
  meter: Meter,
  scope: UsageScope,
  options: MeterAggregateOptions,
  params = new SqlParameters(),
): SqlQuery {
  // Minute windows are finer than the hourly rollup: those come from the raw events alone.
  const parts = meterParts(meter, scope, params, options.rollupCurrent && options.window !== 'minute');
  const dimensions: string[] = [];
  const columns: string[] = [];
  if (options.window) {
    columns.push(`${windowStartSql(options.window, 'at')} AS bucket`);
    dimensions.push('bucket');
  }
  if (options.byCustomer) dimensions.push('customer_id');
  options.groupBy.forEach((property, index) => {
    columns.push(`group_key -> ${meter.group_by.indexOf(property)} AS g${index}`);
    dimensions.push(`g${index}`);
  });
  const sets = [dimensions, ...(options.window && dimensions.length > 1 ? [['bucket']] : []), []];
  const groupingSets = [...new Set(sets.map((set) => `(${set.join(', ')})`))].join(', ');
  const level = dimensions.length > 0 ? `GROUPING(${dimensions.join(', ')})` : '0';
  // The window's start as epoch milliseconds: parsing hundreds of timestamptz text values into dates was a large part
  // of metering's time on an answer of hourly windows. `date_part` is a float8 already (exact: whole seconds),
  // where `extract` computes in numeric.
  const selected = dimensions.map((dimension) =>
    dimension === 'bucket' ? `date_part('epoch', bucket) * 1000 AS bucket` : dimension,
  );
  const text = `
    SELECT ${[`${level} AS level`, ...selected, `${aggregateExpression(meter.aggregation)} AS value`].join(', ')}
      FROM (SELECT ${['*', ...columns].join(', ')} FROM (${parts}) parts) placed
     GROUP BY GROUPING SETS (${groupingSets})`;
  return { text, values: params.values };
}

/**
 * How many events of the meter's name and filters a property-based aggregation left out, and why. Its values go into
 * `params`, as `meterAggregateSql`'s do.
 */
export function excludedEventsSql(
  meter: Meter,
  scope: UsageScope,
  rollupCurrent: boolean,
  params = new SqlParameters(),
): SqlQuery | undefined {
  const property = meter.property;
  if (property === null) return undefined;
  const numeric = numericAggregations.includes(meter.aggregation);
  const raw = (where: string, range: RangeSql) => {
    const conditions = meterEventConditions(meter, where, range, params);
    const value = `properties -> ${params.add(property)}`;
    const notNumeric = numeric ? `count(*) FILTER (WHERE jsonb_typeof(${value}) <> 'number')` : '0';
    return `SELECT count(*) FILTER (WHERE ${value} IS NULL) AS missing_property, ${notNumeric} AS not_numeric
              FROM usage_events WHERE ${conditions.join(' AND ')}`;
  };
  const rollup = (where: string, range: RangeSql) =>
    `SELECT sum(missing_property) AS missing_property, sum(not_numeric) AS not_numeric FROM meter_usage_hourly
      WHERE ${where} AND meter_id = ${params.add(meter.id)} AND hour >= ${range.from} AND hour < ${range.to}`;
  const parts = fromRawAndRollup(scope, params, rollupCurrent, raw, rollup);
  const text = `SELECT coalesce(sum(missing_property), 0)::int AS missing_property,
                       coalesce(sum(not_numeric), 0)::int AS not_numeric
                  FROM (${parts}) parts`;
  return { text, values: params.values };
}

/** What an empty window or group is worth: nothing counted is zero, but nothing has no minimum or latest. */
export function emptyValue(aggregation: Aggregation): string | null {
  return aggregation === 'count' || aggregation === 'sum' || aggregation === 'unique_count' ? '0' : null;
}
