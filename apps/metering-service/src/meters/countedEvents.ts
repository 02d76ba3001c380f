import { type Meter, numericAggregations } from '@afternoon/contracts/meters';
import { type SqlParameters, type Tenant, ValidationError } from '@afternoon/service-kit';

/** Which events of a tenant a meter query reads, before the meter's own definition narrows them. */
export interface UsageScope {
  tenant: Tenant;
  /** One customer's usage, or every customer's when absent. */
  customerId?: string;
  from: Date;
  to: Date;
  /** Only events received after this instant (exclusive). */
  receivedAfter?: Date;
  /** Only events received up to this instant (inclusive). */
  receivedThrough?: Date;
}

/** Whether the scope bounds when events were received, which only the raw events know. */
export function hasReceivedWindow(scope: UsageScope): boolean {
  return scope.receivedAfter !== undefined || scope.receivedThrough !== undefined;
}

/**
 * The scope's tenant and customer, and its received window if any. The rollup shares the tenant and customer
 * columns but has no `received_at`, so a scope with a received window is only for raw events.
 */
export function scopeCondition(scope: UsageScope, params: SqlParameters): string {
  const conditions = [
    `organization_id = ${params.add(scope.tenant.organizationId)}`,
    `mode = ${params.add(scope.tenant.mode)}`,
  ];
  if (scope.customerId !== undefined) conditions.push(`customer_id = ${params.add(scope.customerId)}`);
  if (scope.receivedAfter) conditions.push(`received_at > ${params.add(scope.receivedAfter)}::timestamptz`);
  if (scope.receivedThrough) conditions.push(`received_at <= ${params.add(scope.receivedThrough)}::timestamptz`);
  return conditions.join(' AND ');
}

/** A range of instants [from, to) as SQL: two parameters, or the columns of a list of questions joined in. */
export interface RangeSql {
  from: string;
  to: string;
}

/** [from, to) as two parameters. */
export function rangeOf(from: Date, to: Date, params: SqlParameters): RangeSql {
  return { from: `${params.add(from)}::timestamptz`, to: `${params.add(to)}::timestamptz` };
}

/** The raw events in the range of the meter's name that pass its filters. */
export function meterEventConditions(meter: Meter, where: string, range: RangeSql, params: SqlParameters): string[] {
  const conditions = [
    where,
    `event_name = ${params.add(meter.event_name)}`,
    `"timestamp" >= ${range.from}`,
    `"timestamp" < ${range.to}`,
  ];
  for (const [property, allowed] of Object.entries(meter.filters)) {
    // A scalar is contained in an array that holds it; a missing property is NULL and matches nothing.
    conditions.push(`(properties -> ${params.add(property)}) <@ ${params.add(JSON.stringify(allowed))}::jsonb`);
  }
  return conditions;
}

/** The raw events the meter counts, and the SQL of the value each one brings (its property, as jsonb and numeric). */
export interface CountedEvents {
  conditions: string[];
  value: string;
  amount: string;
}

/**
 * The raw events in the range the meter counts: those of its name and filters whose property, for aggregations
 * that read one, is present (and a number, for numeric aggregations). The rest are `excluded_events`.
 */
export function countedEvents(meter: Meter, where: string, range: RangeSql, params: SqlParameters): CountedEvents {
  const conditions = meterEventConditions(meter, where, range, params);
  let value = 'NULL::jsonb';
  let amount = 'NULL::numeric';
  if (meter.property !== null) {
    value = `properties -> ${params.add(meter.property)}`;
    conditions.push(`${value} IS NOT NULL`);
    if (numericAggregations.includes(meter.aggregation)) {
      amount = `(${value})::numeric`;
      conditions.push(`jsonb_typeof(${value}) = 'number'`);
    }
  }
  return { conditions, value, amount };
}

/** The received window of a query's `received_after` and `received_through`, for a `UsageScope`. */
export function receivedWindowOf(query: {
  received_after?: string;
  received_through?: string;
}): Pick<UsageScope, 'receivedAfter' | 'receivedThrough'> {
  return {
    receivedAfter: query.received_after === undefined ? undefined : new Date(query.received_after),
    receivedThrough: query.received_through === undefined ? undefined : new Date(query.received_through),
  };
}

/** Refuses properties the meter does not group by, as a validation error on the query field `param`. */
export function checkGroupedBy(meter: Meter, properties: readonly string[], param: string): void {
  const outside = properties.filter((property) => !meter.group_by.includes(property));
  if (outside.length > 0)
    throw new ValidationError(
      `meter '${meter.code}' does not group by ${outside.join(', ')} (it groups by: ${meter.group_by.join(', ') || 'nothing'})`,
      param,
    );
}
