import { GetPlanQuery, ListPlansQuery, type PlanAnswer } from '@afternoon/contracts/plans';
import { parseInput, tenantOf } from '@afternoon/service-kit';
import { Router } from 'express';
import type pg from 'pg';
import { planNotFound } from './businessLogic';
import { getPlan, listPlans } from './getPlans';

/** Internal read routes the gateway calls; every query is scoped to the tenant in the request headers. */
export function planRoutes({ pool }: { pool: pg.Pool }): Router {
  const router = Router();
  router.get('/plans', async (request, response) => {
    response.json(await listPlans(pool, tenantOf(request), parseInput(ListPlansQuery, request.query)));
  });
  router.get('/plans/:code', async (request, response) => {
    const { version } = parseInput(GetPlanQuery, request.query);
    const plan = await getPlan(pool, tenantOf(request), request.params.code, version);
    if (!plan) throw planNotFound(request.params.code);
    response.json({ plan } satisfies PlanAnswer);
  });
  return router;
}
