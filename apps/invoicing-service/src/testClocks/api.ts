import { ResourceId } from '@afternoon/contracts/common';
import { ListTestClocksQuery } from '@afternoon/contracts/testClocks';
import { Topics } from '@afternoon/contracts/topics';
import { parseInput, type RouteDeps, tenantOf } from '@afternoon/service-kit';
import express, { Router } from 'express';
import { z } from 'zod';
import { customersConsumer } from '../customers/knownCustomers';
import { requireTestMode, testClockNotFound } from './businessLogic';
import { customerClockTimes, getTestClock, listTestClocks } from './getTestClocks';

const CustomerIds = z.strictObject({ customer_ids: z.array(ResourceId).max(1000) });

const customerCatchUpMs = 5_000;

/** Internal read routes the gateway calls; every query is scoped to the tenant in the request headers. */
export function testClockRoutes({ pool, catchUp }: RouteDeps): Router {
  const router = Router();
  router.get('/test-clocks', async (request, response) => {
    const tenant = tenantOf(request);
    requireTestMode(tenant.mode);
    response.json(await listTestClocks(pool, tenant, parseInput(ListTestClocksQuery, request.query)));
  });
  router.get('/test-clocks/:id', async (request, response) => {
    const tenant = tenantOf(request);
    requireTestMode(tenant.mode);
    const clock = await getTestClock(pool, tenant, request.params.id);
    if (!clock) throw testClockNotFound(request.params.id);
    response.json({ test_clock: clock });
  });
  // POST: a whole ingest batch's customer ids do not fit a query string.
  router.post('/customer-clock-times', express.json({ limit: '1mb' }), async (request, response) => {
    const { customer_ids } = parseInput(CustomerIds, request.body ?? {});
    // Customers created by the previous request are known once customer events are caught up with.
    await catchUp(customersConsumer.name, Topics.customerEvents, customerCatchUpMs);
    const times = await customerClockTimes(pool, tenantOf(request), customer_ids);
    response.json({
      clock_times: Object.fromEntries([...times].map(([customerId, time]) => [customerId, time.toISOString()])),
    });
  });
  return router;
}
