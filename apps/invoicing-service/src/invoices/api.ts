import {
  type HostedInvoice,
  type InvoiceAnswer,
  type InvoicePaymentList,
  type LineItemUsageWindow,
  ListInvoicesQuery,
} from '@afternoon/contracts/invoices';
import { IllegalStateError, NotFoundError, parseInput, tenantOf } from '@afternoon/service-kit';
import { Router } from 'express';
import type pg from 'pg';
import { invoiceNotFound } from './businessLogic';
import { getInvoice, getInvoiceByPublicToken, getInvoicePayments, getLineItemUsage, listInvoices } from './getInvoices';

/** Internal read routes the gateway calls; every query is scoped to the tenant in the request headers. */
export function invoiceRoutes({ pool }: { pool: pg.Pool }): Router {
  const router = Router();
  // NOT tenant-scoped: hosted invoice pages have no API key, so the random public token is the capability.
  // Only finalized invoices have one; drafts are never found. Registered before `/invoices/:id` so it is not shadowed.
  router.get('/public-invoices/:token', async (request, response) => {
    const token = request.params.token;
    const hosted = /^[A-Za-z0-9_-]{16,128}$/.test(token) ? await getInvoiceByPublicToken(pool, token) : undefined;
    if (!hosted) throw invoiceNotFound('public');
    response.json(hosted satisfies HostedInvoice);
  });
  router.get('/invoices/:id', async (request, response) => {
    const invoice = await getInvoice(pool, tenantOf(request), request.params.id);
    if (!invoice) throw invoiceNotFound(request.params.id);
    response.json({ invoice } satisfies InvoiceAnswer);
  });
  router.get('/invoices/:id/payments', async (request, response) => {
    const payments = await getInvoicePayments(pool, tenantOf(request), request.params.id);
    if (!payments) throw invoiceNotFound(request.params.id);
    response.json(payments satisfies InvoicePaymentList);
  });
  // Where the events a usage line billed are: the gateway lists them from metering with these bounds.
  router.get('/invoices/:id/line-items/:lineItemId/usage', async (request, response) => {
    const { id, lineItemId } = request.params;
    const lookup = await getLineItemUsage(pool, tenantOf(request), id, lineItemId);
    switch (lookup.status) {
      case 'found':
        response.json(lookup.window satisfies LineItemUsageWindow);
        return;
      case 'no_invoice':
        throw invoiceNotFound(id);
      case 'no_line_item':
        throw new NotFoundError(`No such line item: '${lineItemId}'`, 'line_item_id');
      case 'no_usage':
        throw new IllegalStateError(`line item ${lineItemId} bills no usage events (it is a ${lookup.kind} line)`);
      case 'summed_groups': {
        const { customer_id, usage } = lookup.window;
        const groups = lookup.count === 1 ? 'one group' : `${lookup.count} groups`;
        const after = usage.received_after ? `&received_after=${usage.received_after}` : '';
        const window = `from=${usage.from}&to=${usage.to}${after}&received_through=${usage.received_through}`;
        throw new IllegalStateError(
          `line item ${lineItemId} sums ${groups} of meter '${usage.meter_code}' with no line of their own: their ` +
            `events are not listed. Each group's usage: GET /v1/customers/${customer_id}/usage` +
            `?meter=${usage.meter_code}&${window}&group_by=<the meter's group_by>`,
        );
      }
      default: {
        const unknown: never = lookup;
        return unknown;
      }
    }
  });
  router.get('/invoices', async (request, response) => {
    response.json(await listInvoices(pool, tenantOf(request), parseInput(ListInvoicesQuery, request.query)));
  });
  return router;
}
