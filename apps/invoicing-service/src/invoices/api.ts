import { ListInvoicesQuery } from '@afternoon/contracts/invoices';
import { parseInput, tenantOf } from '@afternoon/service-kit';
import { Router } from 'express';
import type pg from 'pg';
import { invoiceNotFound } from './businessLogic';
import { getInvoice, getInvoiceByPublicToken, listInvoices } from './getInvoices';

/** Internal read routes the gateway calls; every query is scoped to the tenant in the request headers. */
export function invoiceRoutes({ pool }: { pool: pg.Pool }): Router {
  const router = Router();
  // NOT tenant-scoped: hosted invoice pages have no API key, so the random public token is the capability.
  // Only finalized invoices have one; drafts are never found. Registered before `/invoices/:id` so it is not shadowed.
  router.get('/public-invoices/:token', async (request, response) => {
    const token = request.params.token;
    const hosted = /^[A-Za-z0-9_-]{16,128}$/.test(token) ? await getInvoiceByPublicToken(pool, token) : undefined;
    if (!hosted) throw invoiceNotFound('public');
    response.json(hosted);
  });
  router.get('/invoices/:id', async (request, response) => {
    const invoice = await getInvoice(pool, tenantOf(request), request.params.id);
    if (!invoice) throw invoiceNotFound(request.params.id);
    response.json({ invoice });
  });
  router.get('/invoices', async (request, response) => {
    response.json(await listInvoices(pool, tenantOf(request), parseInput(ListInvoicesQuery, request.query)));
  });
  return router;
}
