import { ListTestClocksQuery, type TestClockAnswer } from '@afternoon/contracts/testClocks';
import { parseInput, type RouteDeps, tenantOf } from '@afternoon/service-kit';
import { Router } from 'express';
import { requireTestMode, testClockNotFound } from './businessLogic';
import { getTestClock, listTestClocks } from './getTestClocks';

/** Internal read routes the gateway calls; every query is scoped to the tenant in the request headers. */
export function testClockRoutes({ pool }: RouteDeps): Router {
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
    response.json({ test_clock: clock } satisfies TestClockAnswer);
  });
  return router;
}
