import type { CustomerScope } from '@afternoon/contracts/customers';
import type { Meter } from '@afternoon/contracts/meters';
import {
  type MeterUsageAnswer,
  type MeterUsageBatchAnswer,
  MeterUsageBatchRequest,
  type MeterUsageItem,
} from '@afternoon/contracts/meterUsageBatch';
import { NotFoundError, parseInput, type Tenant, tenantOf } from '@afternoon/service-kit';
import express, { Router } from 'express';
import type pg from 'pg';
import { meterNotFound } from './businessLogic';
import { getMeter } from './getMeters';
import { customerMeterUsage } from './getMeterUsage';

export interface MeterUsageBatchDeps {
  pool: pg.Pool;
  knownCustomers(tenant: Tenant, ids: string[], scope: CustomerScope): Promise<Set<string>>;
  processedThrough(): Promise<string>;
}

/**
 * The billing run's door: the usage questions of one or more invoices in one request, each grouped by its meter's own
 * `group_by` with every group (a bill sums those it does not show), so the group bound of the public read does not
 * apply. Any unknown customer or meter refuses the whole batch.
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
    const usage: MeterUsageAnswer[] = [];
    for (const item of items) usage.push(await itemUsage(pool, tenant, item, meterOf(meters, item.meter)));
    const answer: MeterUsageBatchAnswer = { processed_through: horizon, usage };
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

async function itemUsage(pool: pg.Pool, tenant: Tenant, item: MeterUsageItem, meter: Meter): Promise<MeterUsageAnswer> {
  const { customer_id, ...query } = item;
  const groupBy = meter.group_by;
  const usage = await customerMeterUsage(
    pool,
    tenant,
    customer_id,
    meter,
    { ...query, group_by: groupBy },
    Number.POSITIVE_INFINITY,
  );
  if (groupBy.length === 0) return { total: usage.total };
  return { total: usage.total, groups: usage.windows[0]?.groups ?? [] };
}
