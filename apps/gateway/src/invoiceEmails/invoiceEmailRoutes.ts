import { ResourceId } from '@afternoon/contracts/common';
import { InvoiceEmailList } from '@afternoon/contracts/invoiceEmails';
import { InvoiceAnswer } from '@afternoon/contracts/invoices';
import { Router } from 'express';
import { existingPathValue } from '../http/pathValue';
import { callerOf } from '../http/requestContext';
import { respond } from '../http/respond';
import { queryService } from '../queries/serviceQuery';
import type { RouteDeps } from '../routeDeps';

/**
 * `GET /v1/invoices/{id}/emails`: the emails notification-service sent (or is sending) about the invoice. Invoicing
 * says first whether the invoice is the caller's (404 otherwise): notification-service only knows invoices it emailed.
 */
export function invoiceEmailRoutes(deps: RouteDeps): Router {
  const router = Router();
  router.get('/v1/invoices/:id/emails', async (request, response) => {
    const id = existingPathValue(request.params.id, ResourceId, 'invoice', 'id');
    const caller = callerOf(response);
    await queryService(deps.services.invoicing, `/invoices/${id}`, caller, InvoiceAnswer);
    const list = await queryService(deps.services.notifications, `/invoices/${id}/emails`, caller, InvoiceEmailList);
    respond(response, 200, list);
  });
  return router;
}
