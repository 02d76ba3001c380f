import { type AlertAnswer, ListAlertsQuery } from '@afternoon/contracts/alerts';
import { parseInput, tenantOf } from '@afternoon/service-kit';
import { Router } from 'express';
import type pg from 'pg';
import { alertNotFound } from './businessLogic';
import { getAlert, listAlerts } from './getAlerts';

/** Internal read routes the gateway calls; every query is scoped to the tenant in the request headers. */
export function alertRoutes({ pool }: { pool: pg.Pool }): Router {
  const router = Router();
  router.get('/alerts/:id', async (request, response) => {
    const alert = await getAlert(pool, tenantOf(request), request.params.id);
    if (!alert) throw alertNotFound(request.params.id);
    response.json({ alert } satisfies AlertAnswer);
  });
  router.get('/alerts', async (request, response) => {
    response.json(await listAlerts(pool, tenantOf(request), parseInput(ListAlertsQuery, request.query)));
  });
  return router;
}
