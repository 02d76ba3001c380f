import { tenantOf } from '@afternoon/service-kit';
import { Router } from 'express';
import { type UpcomingInvoiceDeps, upcomingInvoice } from './upcomingInvoice';

/** Internal billing reads the gateway calls; they compute from plans, subscriptions and usage and store nothing. */
export function billingRoutes(deps: UpcomingInvoiceDeps): Router {
  const router = Router();
  router.get('/subscriptions/:id/upcoming-invoice', async (request, response) => {
    response.json({
      upcoming_invoice: await upcomingInvoice(deps, tenantOf(request), request.params.id, new Date()),
    });
  });
  return router;
}
