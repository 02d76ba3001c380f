import type { Meter } from '@afternoon/contracts/meters';
import { SqlParameters, type SqlQuery, type Tenant } from '@afternoon/service-kit';
import { aggregateExpression, partRanges, rawParts, rollupParts } from './meterUsageSql';

/** One question of a batch about one meter: a customer's usage over [from, to), maybe within a received window. */
export interface MeterBatchQuestion {
  customerId: string;
  from: Date;
  to: Date;
  receivedAfter?: Date;
  receivedThrough?: Date;
}

/**
 * `meterAggregateSql` for many questions about one meter in one statement: each question's total and groups (by all
 * of the meter's `group_by`, no window), keyed by `item`, its place in `questions`. The questions come in as arrays,
 * split as `partRanges` splits one, and each range is joined to the events (or rollup hours) it reads through the
 * customer's index. A question with nothing counted has no rows.
 */
export function meterBatchAggregateSql(
  meter: Meter,
  tenant: Tenant,
  questions: readonly MeterBatchQuestion[],
  rollupCurrent: boolean,
): SqlQuery {
  const params = new SqlParameters();
  const raw = { item: [] as number[], customer: [] as string[], from: [] as Date[], to: [] as Date[] };
  const received = { after: [] as (Date | null)[], through: [] as (Date | null)[] };
  const rollup = { item: [] as number[], customer: [] as string[], from: [] as Date[], to: [] as Date[] };
  questions.forEach((question, item) => {
    const ranges = partRanges({ tenant, ...question }, rollupCurrent);
    for (const [from, to] of ranges.raw) {
      raw.item.push(item);
      raw.customer.push(question.customerId);
      raw.from.push(from);
      raw.to.push(to);
      received.after.push(question.receivedAfter ?? null);
      received.through.push(question.receivedThrough ?? null);
    }
    if (ranges.rollup) {
      rollup.item.push(item);
      rollup.customer.push(question.customerId);
      rollup.from.push(ranges.rollup[0]);
      rollup.to.push(ranges.rollup[1]);
    }
  });
  const tenantWhere = `organization_id = ${params.add(tenant.organizationId)} AND mode = ${params.add(tenant.mode)}`;
  const rawList = `unnest(${params.add(raw.item)}::int[], ${params.add(raw.customer)}::text[],
                          ${params.add(raw.from)}::timestamptz[], ${params.add(raw.to)}::timestamptz[],
                          ${params.add(received.after)}::timestamptz[], ${params.add(received.through)}::timestamptz[])
                     AS q (item, customer, from_at, to_at, received_after, received_through)`;
  const rawWhere = `${tenantWhere} AND customer_id = q.customer
                    AND (q.received_after IS NULL OR received_at > q.received_after)
                    AND (q.received_through IS NULL OR received_at <= q.received_through)`;
  const rollupList = `unnest(${params.add(rollup.item)}::int[], ${params.add(rollup.customer)}::text[],
                             ${params.add(rollup.from)}::timestamptz[], ${params.add(rollup.to)}::timestamptz[])
                        AS h (item, customer, from_at, to_at)`;
  const rollupWhere = `${tenantWhere} AND customer_id = h.customer`;
  const parts = `
    SELECT q.item, p.* FROM ${rawList}
      CROSS JOIN LATERAL (${rawParts(meter, rawWhere, { from: 'q.from_at', to: 'q.to_at' }, params)}) p
    UNION ALL
    SELECT h.item, p.* FROM ${rollupList}
      CROSS JOIN LATERAL (${rollupParts(meter, rollupWhere, { from: 'h.from_at', to: 'h.to_at' }, params)}) p`;
  const groups = meter.group_by.map((_, index) => `g${index}`);
  const columns = meter.group_by.map((_, index) => `group_key -> ${index} AS g${index}`);
  const level = groups.length > 0 ? `GROUPING(${groups.join(', ')})` : '0';
  const grouping = groups.length > 0 ? `GROUPING SETS ((item, ${groups.join(', ')}), (item))` : 'item';
  const text = `
    SELECT ${['item', `${level} AS level`, ...groups, `${aggregateExpression(meter.aggregation)} AS value`].join(', ')}
      FROM (SELECT ${['*', ...columns].join(', ')} FROM (${parts}) parts) placed
     GROUP BY ${grouping}`;
  return params.query(text);
}
