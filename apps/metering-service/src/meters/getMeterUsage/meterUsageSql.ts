import {
  type Aggregation,
  type MeterDefinition,
  numericAggregations,
  type UsageWindowSize,
} from '@afternoon/contracts/meters';
import type { Tenant } from '@afternoon/service-kit';

/** Which events of a tenant a meter query reads, before the meter's own definition narrows them. */
export interface UsageScope {
  tenant: Tenant;
  /** One customer's usage, or every customer's when absent. */
  customerId?: string;
  from: Date;
  to: Date;
}

export interface SqlQuery {
  text: string;
  values: unknown[];
}

/** The rows a meter counts: its event name within the scope, every filter matched. */
function meterConditions(meter: MeterDefinition, scope: UsageScope, values: unknown[]): string[] {
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const conditions = [
    `organization_id = ${param(scope.tenant.organizationId)}`,
    `mode = ${param(scope.tenant.mode)}`,
    `event_name = ${param(meter.event_name)}`,
    `"timestamp" >= ${param(scope.from)}::timestamptz`,
    `"timestamp" < ${param(scope.to)}::timestamptz`,
  ];
  if (scope.customerId !== undefined) conditions.push(`customer_id = ${param(scope.customerId)}`);
  for (const [property, allowed] of Object.entries(meter.filters)) {
    // A scalar is contained in an array that holds it; a missing property is NULL and matches nothing.
    conditions.push(`(properties -> ${param(property)}) <@ ${param(JSON.stringify(allowed))}::jsonb`);
  }
  return conditions;
}

/** The aggregate over `value` (the property as jsonb) and `amount` (the same as numeric), exact in `numeric`. */
function aggregateExpression(aggregation: Aggregation): string {
  switch (aggregation) {
    case 'count':
      return 'count(*)::numeric';
    case 'sum':
      return 'sum(amount)';
    case 'min':
      return 'min(amount)';
    case 'max':
      return 'max(amount)';
    case 'avg':
      // Rounded half away from zero at 12 places: a mean need not be a finite decimal (1/3).
      return 'round(sum(amount) / count(*), 12)';
    case 'unique_count':
      return 'count(DISTINCT value)::numeric';
    case 'latest':
      return '(array_agg(amount ORDER BY "timestamp" DESC, received_at DESC, idempotency_key DESC))[1]';
    default: {
      const unknown: never = aggregation;
      return unknown;
    }
  }
}

export interface MeterAggregateOptions {
  window?: UsageWindowSize;
  /** Properties to split the value by. */
  groupBy: readonly string[];
  /** Split by customer too (the meter-wide ranking). */
  byCustomer?: boolean;
}

/**
 * One statement answering every level at once with GROUPING SETS: the finest split (window × groups), each window,
 * and the whole range. `level` is the GROUPING() bitmask over [window?, customer?, groups…]: 0 for the finest
 * rows, all ones for the total. Events without the property (or with a non-numeric one, for numeric
 * aggregations) are left out here and counted by `excludedEventsSql`.
 */
export function meterAggregateSql(meter: MeterDefinition, scope: UsageScope, options: MeterAggregateOptions): SqlQuery {
  const values: unknown[] = [];
  const conditions = meterConditions(meter, scope, values);
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const columns = ['"timestamp"', 'received_at', 'idempotency_key'];
  const dimensions: string[] = [];
  if (options.window) {
    columns.push(`date_trunc(${param(options.window)}, "timestamp", 'UTC') AS bucket`);
    dimensions.push('bucket');
  }
  if (options.byCustomer) {
    columns.push('customer_id');
    dimensions.push('customer_id');
  }
  options.groupBy.forEach((property, index) => {
    columns.push(`properties -> ${param(property)} AS g${index}`);
    dimensions.push(`g${index}`);
  });
  if (meter.property !== null) {
    const value = `properties -> ${param(meter.property)}`;
    columns.push(`${value} AS value`);
    conditions.push(`${value} IS NOT NULL`);
    if (numericAggregations.includes(meter.aggregation)) {
      columns.push(`(${value})::numeric AS amount`);
      conditions.push(`jsonb_typeof(${value}) = 'number'`);
    }
  }
  const sets = [dimensions, ...(options.window && dimensions.length > 1 ? [['bucket']] : []), []];
  const groupingSets = [...new Set(sets.map((set) => `(${set.join(', ')})`))].join(', ');
  const grouping = dimensions.length > 0 ? `GROUPING(${dimensions.join(', ')})` : '0';
  const text = `
    WITH matching AS (
      SELECT ${columns.join(', ')} FROM usage_events WHERE ${conditions.join(' AND ')}
    )
    SELECT ${[`${grouping} AS level`, ...dimensions, `${aggregateExpression(meter.aggregation)} AS value`].join(', ')}
      FROM matching GROUP BY GROUPING SETS (${groupingSets})`;
  return { text, values };
}

/** How many events of the meter's name and filters a property-based aggregation left out, and why. */
export function excludedEventsSql(meter: MeterDefinition, scope: UsageScope): SqlQuery | undefined {
  if (meter.property === null) return undefined;
  const values: unknown[] = [];
  const conditions = meterConditions(meter, scope, values);
  values.push(meter.property);
  const value = `properties -> $${values.length}`;
  const numeric = numericAggregations.includes(meter.aggregation);
  const text = `
    SELECT count(*) FILTER (WHERE ${value} IS NULL)::int AS missing_property,
           ${numeric ? `count(*) FILTER (WHERE jsonb_typeof(${value}) <> 'number')::int` : '0'} AS not_numeric
      FROM usage_events WHERE ${conditions.join(' AND ')}`;
  return { text, values };
}

/** What an empty window or group is worth: nothing counted is zero, but nothing has no minimum or latest. */
export function emptyValue(aggregation: Aggregation): string | null {
  return aggregation === 'count' || aggregation === 'sum' || aggregation === 'unique_count' ? '0' : null;
}
