import type { CustomerScope } from '@afternoon/contracts/customers';
import type { Meter } from '@afternoon/contracts/meters';
import {
  type MeterUsageAnswer,
  type MeterUsageBatchAnswer,
  MeterUsageBatchRequest,
  type MeterUsageItem,
} from '@afternoon/contracts/meterUsageBatch';
import { NotFoundError, parseInput, type Tenant, type Transaction, tenantOf } from '@afternoon/service-kit';
import express, { Router } from 'express';
import type pg from 'pg';
import { meterNotFound } from './businessLogic';
import { getMeter } from './getMeters';
import { readCustomerMeterUsage } from './getMeterUsage';
import { rollupCurrentIn, withReadSnapshot } from './rollups/rollupSnapshot';

export interface MeterUsageBatchDeps {
  pool: pg.Pool;
  knownCustomers(tenant: Tenant, ids: string[], scope: CustomerScope): Promise<Set<string>>;
  processedThrough(): Promise<string>;
}

/**
 * The billing run's door: the usage questions of one or more invoices in one request, each grouped by its meter's own
 * `group_by` with every group (a bill sums those it does not show), so the group bound of the public read does not
 * apply. Any unknown customer or meter refuses the whole batch. Every answer is read in one snapshot, taken after the
 * horizon, with each meter's rollup status read once in it.
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
    const reads = await withReadSnapshot(pool, async (tx) => {
      const rollupCurrent = new Map<string, boolean>();
      for (const meter of meters.values()) rollupCurrent.set(meter.code, await rollupCurrentIn(tx, meter));
      const answers: (() => MeterUsageAnswer)[] = [];
      for (const item of items)
        answers.push(await itemUsage(tx, tenant, item, meterOf(meters, item.meter), rollupCurrent));
      return answers;
    });
    const answer: MeterUsageBatchAnswer = { processed_through: horizon, usage: reads.map((read) => read()) };
    response.json(answer);
  });
  return router;
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

function meterOf(meters: Map<string, Meter>, code: string): Meter {
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

/** Reads one question's usage in the batch's snapshot; answers a function that makes the answer once it is over. */
async function itemUsage(
  tx: Transaction,
  tenant: Tenant,
  item: MeterUsageItem,
  meter: Meter,
  rollupCurrent: Map<string, boolean>,
): Promise<() => MeterUsageAnswer> {
  const { customer_id: customerId, ...asked } = item;
  const groupBy = meter.group_by;
  const query = { ...asked, group_by: groupBy };
  const current = rollupCurrent.get(meter.code) ?? false;
  const read = { tenant, customerId, meter, query, rollupCurrent: current };
  const usageOf = await readCustomerMeterUsage(tx, read, Number.POSITIVE_INFINITY);
  return () => {
    const usage = usageOf();
    if (groupBy.length === 0) return { total: usage.total };
    return { total: usage.total, groups: usage.windows[0]?.groups ?? [] };
  };
}
