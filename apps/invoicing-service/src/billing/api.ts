import type { UpcomingInvoiceAnswer } from '@afternoon/contracts/invoices';
import { tenantOf } from '@afternoon/service-kit';
import { Router } from 'express';
import { stuckBoundaries } from './boundaryAttempts';
import { type UpcomingInvoiceDeps, upcomingInvoice } from './upcomingInvoice';

/** Internal billing reads the gateway calls; they compute from plans, subscriptions and usage and store nothing. */
export function billingRoutes(deps: UpcomingInvoiceDeps): Router {
  const router = Router();
  router.get('/subscriptions/:id/upcoming-invoice', async (request, response) => {
    const upcoming = await upcomingInvoice(deps, tenantOf(request), request.params.id, new Date());
    response.json({ upcoming_invoice: upcoming } satisfies UpcomingInvoiceAnswer);
  });
  // Boundaries that were sent more than once without an invoice: their subscriptions' later boundaries wait.
  router.get('/billing-run/stuck-boundaries', async (request, response) => {
    response.json({ stuck_boundaries: await stuckBoundaries(deps.db, tenantOf(request)) });
  });
  return router;
}
