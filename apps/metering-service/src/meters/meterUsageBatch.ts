import type { CustomerScope } from '@afternoon/contracts/customers';
import type { Meter } from '@afternoon/contracts/meters';
import {
  type MeterUsageAnswer,
  type MeterUsageBatchAnswer,
  MeterUsageBatchRequest,
  type MeterUsageItem,
} from '@afternoon/contracts/meterUsageBatch';
import { wholeRange } from '@afternoon/contracts/usageWindows';
import {
  NotFoundError,
  parseInput,
  type Tenant,
  type Transaction,
  tenantOf,
  withReadSnapshot,
} from '@afternoon/service-kit';
import express, { Router } from 'express';
import type pg from 'pg';
import { meterNotFound } from './businessLogic';
import { receivedWindowOf } from './countedEvents';
import { getMeter } from './getMeters';
import { type AggregateRow, customerMeterUsageOf } from './getMeterUsage';
import { type MeterBatchQuestion, meterBatchAggregateSql } from './getMeterUsage/meterUsageBatchSql';
import { rollupCurrentIn } from './rollups/rollupSnapshot';

export interface MeterUsageBatchDeps {
  pool: pg.Pool;
  knownCustomers(tenant: Tenant, ids: string[], scope: CustomerScope): Promise<Set<string>>;
  processedThrough(): Promise<string>;
}

/**
 * The billing run's door: the usage questions of one or more invoices in one request, each grouped by its meter's own
 * `group_by` with every group (a bill sums those it does not show), so the group bound of the public read does not
 * apply. Any unknown customer or meter refuses the whole batch. Every answer is read in one snapshot, taken after the
 * horizon: per meter its rollup status, then every question about it in one statement.
 */
export function meterUsageBatchRoutes({ pool, knownCustomers, processedThrough }: MeterUsageBatchDeps): Router {
  const router = Router();
  router.post('/meter-usage/batch', express.json({ limit: '1mb' }), async (request, response) => {
    const tenant = tenantOf(request);
    const { items } = parseInput(MeterUsageBatchRequest, request.body);
    // Read the horizon first: everything before it is already in the answers that follow.
    const horizon = await processedThrough();
    const meters = await batchMeters(pool, tenant, items);
    await checkCustomers(knownCustomers, tenant, items);
    const usage = await withReadSnapshot(pool, (tx) => meterUsageAnswers(tx, tenant, meters, items));
    const answer: MeterUsageBatchAnswer = { processed_through: horizon, usage };
    response.json(answer);
  });
  return router;
}

/** The answers to the items, in their order, read in the caller's snapshot: one statement per meter. */
export async function meterUsageAnswers(
  tx: Transaction,
  tenant: Tenant,
  meters: ReadonlyMap<string, Meter>,
  items: readonly MeterUsageItem[],
): Promise<MeterUsageAnswer[]> {
  const rowsByItem = new Map<number, AggregateRow[]>();
  for (const meter of meters.values()) await readMeterQuestions(tx, tenant, meter, items, rowsByItem);
  return items.map((item, index) => itemAnswer(item, meterOf(meters, item.meter), rowsByItem.get(index) ?? []));
}

async function batchMeters(pool: pg.Pool, tenant: Tenant, items: MeterUsageItem[]): Promise<Map<string, Meter>> {
  const meters = new Map<string, Meter>();
  for (const code of new Set(items.map((item) => item.meter))) {
    const meter = await getMeter(pool, tenant, code);
    if (!meter) throw meterNotFound(code);
    meters.set(code, meter);
  }
  return meters;
}

function meterOf(meters: ReadonlyMap<string, Meter>, code: string): Meter {
  const meter = meters.get(code);
  if (!meter) throw meterNotFound(code);
  return meter;
}

// Usage stays readable after the customer is deleted: its last period still gets billed.
async function checkCustomers(
  knownCustomers: MeterUsageBatchDeps['knownCustomers'],
  tenant: Tenant,
  items: MeterUsageItem[],
): Promise<void> {
  const ids = [...new Set(items.map((item) => item.customer_id))];
  const known = await knownCustomers(tenant, ids, 'ever');
  const unknown = ids.find((id) => !known.has(id));
  if (unknown) throw new NotFoundError(`No such customer: '${unknown}'`, 'customer_id');
}

/**
 * Reads every question about the meter in one statement, its rollup status read first, and files the rows under
 * their questions' places in the request's items.
 */
async function readMeterQuestions(
  tx: Transaction,
  tenant: Tenant,
  meter: Meter,
  items: readonly MeterUsageItem[],
  rowsByItem: Map<number, AggregateRow[]>,
): Promise<void> {
  const places: number[] = [];
  const questions: MeterBatchQuestion[] = [];
  items.forEach((item, index) => {
    if (item.meter !== meter.code) return;
    places.push(index);
    questions.push({
      customerId: item.customer_id,
      from: new Date(item.from),
      to: new Date(item.to),
      ...receivedWindowOf(item),
    });
  });
  const { text, values } = meterBatchAggregateSql(meter, tenant, questions, await rollupCurrentIn(tx, meter));
  const { rows } = await tx.query<AggregateRow & { item: number }>(text, values);
  for (const { item, ...row } of rows) {
    const place = places[item] as number;
    const filed = rowsByItem.get(place);
    if (filed) filed.push(row);
    else rowsByItem.set(place, [row]);
  }
}

/** One question's answer from its rows: its total, and every group when the meter groups. */
function itemAnswer(item: MeterUsageItem, meter: Meter, rows: readonly AggregateRow[]): MeterUsageAnswer {
  const { customer_id: customerId, ...asked } = item;
  const groupBy = meter.group_by;
  const from = new Date(item.from);
  const to = new Date(item.to);
  const query = { ...asked, group_by: groupBy };
  const shape = { customerId, meter, query, from, to, windows: [wholeRange(from.getTime(), to.getTime())] };
  const usage = customerMeterUsageOf(rows, undefined, shape, Number.POSITIVE_INFINITY);
  if (groupBy.length === 0) return { total: usage.total };
  return { total: usage.total, groups: usage.window_groups?.[0] ?? [] };
}
