import { ResourceId } from '@afternoon/contracts/common';
import {
  InvoiceEmailAnswer,
  InvoiceEmailId,
  InvoiceEmailList,
  InvoiceEmailReplayAnswer,
  ReplayInvoiceEmailsBody,
} from '@afternoon/contracts/invoiceEmails';
import { InvoiceAnswer } from '@afternoon/contracts/invoices';
import { Topics } from '@afternoon/contracts/topics';
import { newResourceId } from '@afternoon/service-kit';
import { Router } from 'express';
import { commandRoute } from '../commands/commandRoute';
import { existingPathValue } from '../http/pathValue';
import { callerOf } from '../http/requestContext';
import { respond } from '../http/respond';
import { validate } from '../http/validation';
import { queryService } from '../queries/serviceQuery';
import type { RouteDeps } from '../routeDeps';

/**
 * `GET /v1/invoices/{id}/emails`: the emails notification-service sent (or is sending) about the invoice, and
 * `POST /v1/invoices/{id}/emails/{email_id}/retry`: a new attempt of one of them now. Invoicing says first whether
 * the invoice is the caller's (404 otherwise): notification-service only knows invoices it emailed. And
 * `POST /v1/invoice_emails/replay`: a new attempt now of every email of the caller's first scheduled in a window.
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

  // Answered once every email of the window has its new attempt due (200, as the webhooks' replay), not when sent.
  router.post(
    '/v1/invoice_emails/replay',
    commandRoute(deps, (request) => {
      const body = validate(ReplayInvoiceEmailsBody, request.body);
      const replayId = newResourceId();
      return {
        topic: Topics.notificationCommands,
        key: replayId,
        type: 'ReplayInvoiceEmails',
        data: { replay_id: replayId, from: utc(body.from), to: utc(body.to), kinds: body.kinds ?? null },
        successStatus: 200,
        successBody: (replayed) => InvoiceEmailReplayAnswer.parse(replayed),
      };
    }),
  );
  return router;
}

/** Instants travel in UTC, as every timestamp the platform stores. */
function utc(instant: string): string {
  return new Date(instant).toISOString();
}
