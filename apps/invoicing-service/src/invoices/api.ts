import { ListInvoicesQuery } from '@afternoon/contracts/invoices';
import { tenantOf, ValidationError } from '@afternoon/service-kit';
import { Router } from 'express';
import type pg from 'pg';
import { invoiceNotFound } from './businessLogic';
import { getInvoice, listInvoices } from './getInvoices';

/** Internal read routes the gateway calls; every query is scoped to the tenant in the request headers. */
export function invoiceRoutes({ pool }: { pool: pg.Pool }): Router {
  const router = Router();
  router.get('/invoices/:id', async (request, response) => {
    const invoice = await getInvoice(pool, tenantOf(request), request.params.id);
    if (!invoice) throw invoiceNotFound(request.params.id);
    response.json({ invoice });
  });
  router.get('/invoices', async (request, response) => {
    const query = ListInvoicesQuery.safeParse(request.query);
    if (!query.success) throw new ValidationError(query.error.issues[0]?.message ?? 'invalid query');
    response.json(await listInvoices(pool, tenantOf(request), query.data));
  });
  return router;
}
