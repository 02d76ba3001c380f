import { ListTestClocksQuery } from '@afternoon/contracts/testClocks';
import { Topics } from '@afternoon/contracts/topics';
import { parseInput, type RouteDeps, tenantOf } from '@afternoon/service-kit';
import { Router } from 'express';
import { z } from 'zod';
import { customersConsumer } from '../customers/knownCustomers';
import { testClockNotFound } from './businessLogic';
import { customerClockTimes, getTestClock, listTestClocks } from './getTestClocks';

const CustomerIdsQuery = z.strictObject({
  customer_ids: z
    .string()
    .max(30_000)
    .transform((value) => value.split(',').filter(Boolean)),
});

const customerCatchUpMs = 5_000;

/** Internal read routes the gateway calls; every query is scoped to the tenant in the request headers. */
export function testClockRoutes({ pool, catchUp }: RouteDeps): Router {
  const router = Router();
  router.get('/test-clocks', async (request, response) => {
    response.json(await listTestClocks(pool, tenantOf(request), parseInput(ListTestClocksQuery, request.query)));
  });
  router.get('/test-clocks/:id', async (request, response) => {
    const clock = await getTestClock(pool, tenantOf(request), request.params.id);
    if (!clock) throw testClockNotFound(request.params.id);
    response.json({ test_clock: clock });
  });
  router.get('/customer-clock-times', async (request, response) => {
    const { customer_ids } = parseInput(CustomerIdsQuery, request.query);
    // Customers created by the previous request are known once customer events are caught up with.
    await catchUp(customersConsumer.name, Topics.customerEvents, customerCatchUpMs);
    const times = await customerClockTimes(pool, tenantOf(request), customer_ids);
    response.json({
      clock_times: Object.fromEntries([...times].map(([customerId, time]) => [customerId, time.toISOString()])),
    });
  });
  return router;
}
