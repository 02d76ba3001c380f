import { ResourceId } from '@afternoon/contracts/common';
import { InvoiceEmailAnswer, InvoiceEmailId, InvoiceEmailList } from '@afternoon/contracts/invoiceEmails';
import { InvoiceAnswer } from '@afternoon/contracts/invoices';
import { Topics } from '@afternoon/contracts/topics';
import { Router } from 'express';
import { commandRoute } from '../commands/commandRoute';
import { existingPathValue } from '../http/pathValue';
import { callerOf } from '../http/requestContext';
import { respond } from '../http/respond';
import { queryService } from '../queries/serviceQuery';
import type { RouteDeps } from '../routeDeps';

/**
 * `GET /v1/invoices/{id}/emails`: the emails notification-service sent (or is sending) about the invoice, and
 * `POST /v1/invoices/{id}/emails/{email_id}/retry`: a new attempt of one of them now. Invoicing says first whether
 * the invoice is the caller's (404 otherwise): notification-service only knows invoices it emailed.
 */
export function invoiceEmailRoutes(deps: RouteDeps): Router {
  const router = Router();
  const callersInvoice = async (id: string | undefined, caller: ReturnType<typeof callerOf>) => {
    const invoiceId = existingPathValue(id, ResourceId, 'invoice', 'id');
    await queryService(deps.services.invoicing, `/invoices/${invoiceId}`, caller, InvoiceAnswer);
    return invoiceId;
  };

  router.get('/v1/invoices/:id/emails', async (request, response) => {
    const caller = callerOf(response);
    const id = await callersInvoice(request.params.id, caller);
    const list = await queryService(deps.services.notifications, `/invoices/${id}/emails`, caller, InvoiceEmailList);
    respond(response, 200, list);
  });

  // Whatever the email's status: a failed one goes again, a sent one is sent once more.
  router.post(
    '/v1/invoices/:id/emails/:email_id/retry',
    commandRoute(deps, async (request, response) => {
      const emailId = existingPathValue(request.params.email_id, InvoiceEmailId, 'invoice email', 'email_id');
      const invoiceId = await callersInvoice(request.params.id, callerOf(response));
      return {
        topic: Topics.notificationCommands,
        key: emailId,
        type: 'RetryInvoiceEmail',
        data: { invoice_id: invoiceId, email_id: emailId },
        successStatus: 200,
        successBody: (retried) => InvoiceEmailAnswer.parse(retried),
      };
    }),
  );
  return router;
}
