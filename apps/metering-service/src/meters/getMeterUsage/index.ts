import type { Meter, MeterUsage, MeterUsageQuery, UsageGroup } from '@afternoon/contracts/meters';
import { meterUsageOf, type WindowValuesUsage } from '@afternoon/contracts/meterUsageAnswer';
import { answerWindows, type TimeWindow } from '@afternoon/contracts/usageWindows';
import { preparedStatement, type Queryable, SqlParameters, type Tenant, ValidationError } from '@afternoon/service-kit';
import type pg from 'pg';
import { normalizeDecimal } from '../../usage/exactDecimal';
import { checkGroupedBy, receivedWindowOf, type UsageScope } from '../countedEvents';
import { rollupCurrentSql, withRollupSnapshot } from '../rollups/rollupSnapshot';
import { aggregateRowsOf, aggregateTextSql } from './aggregateText';
import { emptyValue, excludedEventsSql, meterAggregateSql } from './meterUsageSql';

/**
 * The one row of a customer's answer: the aggregate's rows as text (`aggregateTextSql`), whether the meter is as it
 * was read, the excluded counts.
 */
interface AnswerRow {
  aggregate: string | null;
  unchanged: boolean;
  missing_property: number;
  not_numeric: number;
}

/** A row of `meterAggregateSql` (and of `meterBatchAggregateSql`, which adds its `item`). */
export interface AggregateRow {
  level: number;
  /** The window's calendar start in epoch milliseconds; null on rows summed over the windows. */
  bucket?: number | null;
  customer_id?: string;
  value: string | null;
  [group: `g${number}`]: UsageGroup['key'][string] | undefined;
}

/**
 * More groups than this across the windows of one answer (a group counts once in each window it has usage in) is
 * refused: a meter grouped by a property with a value per event would otherwise answer with every event.
 */
export const maxGroupsPerQuery = 10_000;

/** A customer's usage of a meter, without the horizon the route adds. */
export type CustomerMeterUsage = Omit<MeterUsage, 'processed_through'>;

/** `CustomerMeterUsage` as the internal API answers it: its windows' values, not the windows (ADR 0053). */
export type CustomerMeterUsageValues = Omit<WindowValuesUsage, 'processed_through'>;

/**
 * A customer's usage of a meter over [from, to), computed from the stored events and the meter's definition as it
 * is now, so a meter made or changed after its events arrived counts them all the same. More than `maxGroups`
 * groups across its windows is refused.
 */
export async function customerMeterUsage(
  pool: pg.Pool,
  tenant: Tenant,
  customerId: string,
  meter: Meter,
  query: MeterUsageQuery,
  maxGroups = maxGroupsPerQuery,
): Promise<CustomerMeterUsage> {
  checkGroupedBy(meter, query.group_by ?? [], 'group_by');
  const answer = await withRollupSnapshot(pool, meter, (tx, rollupCurrent) =>
    readCustomerMeterUsage(tx, { tenant, customerId, meter, query, rollupCurrent }, maxGroups),
  );
  return meterUsageOf(answer());
}

interface AnswerShape {
  customerId: string;
  meter: Meter;
  query: MeterUsageQuery;
  from: Date;
  to: Date;
  windows: TimeWindow[];
}

/** What `readCustomerMeterUsage` answers about. */
export interface CustomerMeterUsageRead {
  tenant: Tenant;
  customerId: string;
  meter: Meter;
  query: MeterUsageQuery;
  /** Whether the meter's rollup is current for `meter`'s definition (in the caller's snapshot, or when it was read). */
  rollupCurrent: boolean;
}

/**
 * `customerMeterUsage` within a snapshot the caller holds (see `withRollupSnapshot`): the aggregate at every level
 * and the counts of the events it left out, in one statement. Answers a function that makes the answer from what was
 * read, for the caller to call once the snapshot is over, so the connection is not held while it runs.
 */
export async function readCustomerMeterUsage(
  tx: Queryable,
  read: CustomerMeterUsageRead,
  maxGroups = maxGroupsPerQuery,
): Promise<() => CustomerMeterUsageValues> {
  return (await readUsage(tx, read, maxGroups)).answer;
}

/**
 * `readCustomerMeterUsage` in a statement of its own, for a meter an earlier statement read at `definitionVersion`
 * (and `rollupCurrent`): undefined when, in this statement's snapshot, the meter's definition has changed since or
 * the rollup it would read is no longer current, so the raw events and the rollup never answer for two definitions.
 */
export async function readCustomerMeterUsageUnchanged<Also extends object = object>(
  db: Queryable,
  read: CustomerMeterUsageRead,
  definitionVersion: number,
  alsoSelect?: AlsoSelected,
): Promise<{ answer: (() => CustomerMeterUsageValues) | undefined; also: Also }> {
  const { answer, unchanged, also } = await readUsage<Also>(db, read, maxGroupsPerQuery, definitionVersion, alsoSelect);
  return { answer: unchanged ? answer : undefined, also };
}

/** More of a statement's select list, read in the same snapshot as the usage: `expression AS name, …`. */
export type AlsoSelected = (params: SqlParameters) => string;

async function readUsage<Also extends object = object>(
  db: Queryable,
  { tenant, customerId, meter, query, rollupCurrent }: CustomerMeterUsageRead,
  maxGroups: number,
  definitionVersion?: number,
  alsoSelect?: AlsoSelected,
): Promise<{ answer: () => CustomerMeterUsageValues; unchanged: boolean; also: Also }> {
  const groupBy = query.group_by ?? [];
  checkGroupedBy(meter, groupBy, 'group_by');
  const from = new Date(query.from);
  const to = new Date(query.to);
  const windows = answerWindows(from.getTime(), to.getTime(), query.window);
  if (!windows) throw new ValidationError(`too many ${query.window} windows between from and to`, 'window');

  const scope: UsageScope = { tenant, customerId, from, to, ...receivedWindowOf(query) };
  const params = new SqlParameters();
  const aggregate = meterAggregateSql(meter, scope, { window: query.window, groupBy, rollupCurrent }, params);
  // Besides its groups, an answer has a row per window and one for the total: one row past that is too many.
  const bounded = Number.isFinite(maxGroups)
    ? `SELECT * FROM (${aggregate.text}) answer LIMIT ${params.add(maxGroups + windows.length + 2)}`
    : aggregate.text;
  const excluded = excludedEventsSql(meter, scope, rollupCurrent, params);
  const unchanged =
    definitionVersion === undefined
      ? 'true'
      : `EXISTS (SELECT 1 FROM meters WHERE id = ${params.add(meter.id)}
                    AND definition_version = ${params.add(definitionVersion)}${rollupCurrent ? ` AND ${rollupCurrentSql}` : ''})`;
  const columns = { windowed: query.window !== undefined, groups: groupBy.length };
  // One statement, one round trip: the rows as one text, the excluded counts beside them.
  const also = alsoSelect ? `, ${alsoSelect(params)}` : '';
  const selected = `${aggregateTextSql(bounded, columns)} AS aggregate, ${unchanged} AS unchanged${also}`;
  const { rows } = await db.query<AnswerRow & Also>(
    preparedStatement(
      params.query(
        excluded
          ? `SELECT ${selected}, missing_property, not_numeric FROM (${excluded.text}) excluded`
          : `SELECT ${selected}`,
      ),
    ),
  );
  const row = rows[0] as AnswerRow & Also;
  const { aggregate: text, unchanged: stillAsRead, missing_property, not_numeric } = row;
  const excludedEvents = excluded ? { missing_property, not_numeric } : undefined;
  const shape = { customerId, meter, query, from, to, windows };
  const answer = () => customerMeterUsageOf(aggregateRowsOf(text, columns), excludedEvents, shape, maxGroups);
  return { answer, unchanged: stillAsRead, also: row };
}

/** The answer from the aggregate's rows (and the excluded counts, when read): a value for each of `windows`. */
export function customerMeterUsageOf(
  rows: readonly AggregateRow[],
  excludedEvents: MeterUsage['excluded_events'] | undefined,
  { customerId, meter, query, from, to, windows }: AnswerShape,
  maxGroups: number,
): CustomerMeterUsageValues {
  const groupBy = query.group_by ?? [];
  checkGroupCount(rows, windows.length, maxGroups);
  const empty = emptyValue(meter.aggregation);
  const value = (row: AggregateRow | undefined) => (row?.value == null ? empty : normalizeDecimal(row.value));
  // `level` is the GROUPING() bitmask over [bucket?, g0…]: a set bit is a dimension summed over.
  const groupsSummed = (1 << groupBy.length) - 1;
  const totalLevel = query.window ? groupsSummed | (1 << groupBy.length) : groupsSummed;
  let total: AggregateRow | undefined;
  // Keyed by the window's start in epoch milliseconds (0 for the whole range): no Date is made per window.
  const windowTotals = new Map<number, string | null>();
  const windowGroups = new Map<number, UsageGroup[]>();
  for (const row of rows) {
    const key = row.bucket ?? 0;
    if (row.level === totalLevel) total = row;
    if (query.window && row.level === groupsSummed) windowTotals.set(key, value(row));
    if (groupBy.length > 0 && row.level === 0) {
      const groups = windowGroups.get(key) ?? [];
      groups.push({ key: groupKey(row, groupBy), value: value(row) });
      windowGroups.set(key, groups);
    }
  }
  const totalValue = value(total);
  const usage: CustomerMeterUsageValues = {
    meter: meter.code,
    customer_id: customerId,
    from: from.toISOString(),
    to: to.toISOString(),
    window: query.window ?? null,
    group_by: groupBy,
    total: totalValue,
    window_values: windows.map(({ calendarStart }) =>
      query.window ? (windowTotals.get(calendarStart) ?? empty) : totalValue,
    ),
    excluded_events: excludedEvents ?? { missing_property: 0, not_numeric: 0 },
  };
  if (groupBy.length > 0) {
    usage.window_groups = windows.map(({ calendarStart }) => (windowGroups.get(calendarStart) ?? []).sort(byKey));
  }
  return usage;
}

function checkGroupCount(rows: readonly AggregateRow[], windowCount: number, maxGroups: number): void {
  const groups = rows.filter((row) => row.level === 0).length;
  if (rows.length <= maxGroups + windowCount + 1 && groups <= maxGroups) return;
  throw new ValidationError(
    `group_by splits this answer into more than ${maxGroups} groups across its windows; group by fewer properties, or ask for a larger window or a shorter range`,
    'group_by',
  );
}

function groupKey(row: AggregateRow, groupBy: readonly string[]): UsageGroup['key'] {
  return Object.fromEntries(groupBy.map((property, index) => [property, row[`g${index}`] ?? null]));
}

function byKey(a: UsageGroup, b: UsageGroup): number {
  const left = JSON.stringify(a.key);
  const right = JSON.stringify(b.key);
  return left < right ? -1 : left > right ? 1 : 0;
}
