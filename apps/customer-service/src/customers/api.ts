import { type CustomerAnswer, ListCustomersQuery } from '@afternoon/contracts/customers';
import { parseInput, tenantOf } from '@afternoon/service-kit';
import { Router } from 'express';
import type pg from 'pg';
import { customerNotFound } from './businessLogic';
import { getCustomer, listCustomers } from './getCustomers';

/** Internal read routes the gateway calls; every query is scoped to the tenant in the request headers. */
export function customerRoutes({ pool }: { pool: pg.Pool }): Router {
  const router = Router();
  router.get('/customers/:id', async (request, response) => {
    const customer = await getCustomer(pool, tenantOf(request), request.params.id);
    if (!customer) throw customerNotFound(request.params.id);
    response.json({ customer } satisfies CustomerAnswer);
  });
  router.get('/customers', async (request, response) => {
    response.json(await listCustomers(pool, tenantOf(request), parseInput(ListCustomersQuery, request.query)));
  });
  return router;
}
