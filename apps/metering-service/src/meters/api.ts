import { ResourceId } from '@afternoon/contracts/common';
import type { CustomerScope } from '@afternoon/contracts/customers';
import {
  ListMetersQuery,
  type MeterAnswer,
  MeterEventsQuery,
  type MeterTopCustomersAnswer,
  MeterTopCustomersQuery,
  MeterUsageQuery,
} from '@afternoon/contracts/meters';
import type { CustomerMeterUsageAnswer } from '@afternoon/contracts/meterUsageAnswer';
import { NotFoundError, parseInput, type Tenant, tenantOf } from '@afternoon/service-kit';
import { Router } from 'express';
import type pg from 'pg';
import { meterNotFound } from './businessLogic';
import { listMeterEvents } from './getMeterEvents';
import { getMeter, listMeters } from './getMeters';
import { customerUsageAnswer, type MetersRead } from './getMeterUsage/customerUsageAnswer';
import { meterTopCustomers } from './getMeterUsage/topCustomers';
import type { UsageHorizon } from './getMeterUsage/usageHorizon';
import { meterUsageBatchRoutes } from './meterUsageBatch';

export interface MeterRoutesDeps {
  pool: pg.Pool;
  /** Which of the ids are the tenant's customers, catching up on customer events before calling one unknown. */
  knownCustomers(tenant: Tenant, ids: string[], scope: CustomerScope): Promise<Set<string>>;
  /** The instant before which every usage record received is stored (see `processedThrough`). */
  processedThrough(): Promise<string>;
  /** The same horizon, read beside a single customer's usage answer (see `customerUsageAnswer`). */
  usageHorizon: UsageHorizon;
}

/** Internal read routes the gateway calls; every query is scoped to the tenant in the request headers. */
export function meterRoutes({ pool, knownCustomers, processedThrough, usageHorizon }: MeterRoutesDeps): Router {
  const router = Router();
  const metersRead: MetersRead = new Map();
  const existingMeter = async (tenant: Tenant, code: string) => {
    const meter = await getMeter(pool, tenant, code);
    if (!meter) throw meterNotFound(code);
    return meter;
  };
  // Usage stays readable after the customer is deleted: its last period still gets billed.
  const readableCustomer = async (tenant: Tenant, id: string) => {
    if (!ResourceId.safeParse(id).success || !(await knownCustomers(tenant, [id], 'ever')).has(id))
      throw new NotFoundError(`No such customer: '${id}'`, 'id');
  };

  router.get('/meters', async (request, response) => {
    response.json(await listMeters(pool, tenantOf(request), parseInput(ListMetersQuery, request.query)));
  });

  router.get('/meters/:code', async (request, response) => {
    response.json({ meter: await existingMeter(tenantOf(request), request.params.code) } satisfies MeterAnswer);
  });

  router.get('/meters/:code/usage', async (request, response) => {
    const tenant = tenantOf(request);
    const query = parseInput(MeterTopCustomersQuery, request.query);
    // Read the horizon first: everything before it is already in the answer that follows.
    const horizon = await processedThrough();
    const meter = await existingMeter(tenant, request.params.code);
    const usage = { ...(await meterTopCustomers(pool, tenant, meter, query)), processed_through: horizon };
    response.json({ usage } satisfies MeterTopCustomersAnswer);
  });

  router.get('/customers/:id/meter-usage', async (request, response) => {
    const tenant = tenantOf(request);
    const id = request.params.id;
    const query = parseInput(MeterUsageQuery, request.query);
    if (!ResourceId.safeParse(id).success) throw new NotFoundError(`No such customer: '${id}'`, 'id');
    let usage = await customerUsageAnswer(pool, usageHorizon, metersRead, tenant, id, query);
    // A customer created a moment ago may not have reached metering yet: catch up, then ask again.
    if ('unknown' in usage && usage.unknown === 'customer') {
      await readableCustomer(tenant, id);
      usage = await customerUsageAnswer(pool, usageHorizon, metersRead, tenant, id, query);
    }
    if ('unknown' in usage) {
      if (usage.unknown === 'meter') throw meterNotFound(query.meter);
      throw new NotFoundError(`No such customer: '${id}'`, 'id');
    }
    // The windows' values only: the gateway makes the windows (ADR 0053).
    response.json({ usage } satisfies CustomerMeterUsageAnswer);
  });

  router.use(meterUsageBatchRoutes({ pool, knownCustomers, processedThrough }));

  router.get('/customers/:id/meter-events', async (request, response) => {
    const tenant = tenantOf(request);
    const id = request.params.id;
    const query = parseInput(MeterEventsQuery, request.query);
    await readableCustomer(tenant, id);
    const meter = await existingMeter(tenant, query.meter);
    response.json(await listMeterEvents(pool, tenant, id, meter, query));
  });

  return router;
}
