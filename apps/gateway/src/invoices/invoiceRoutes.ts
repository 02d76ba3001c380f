import { ResourceId } from '@afternoon/contracts/common';
import {
  CreateInvoiceBody,
  DeletedInvoice,
  Invoice,
  InvoiceAnswer,
  type InvoiceCommand,
  InvoiceList,
  InvoicePaymentAnswer,
  InvoicePaymentList,
  InvoiceRefundAnswer,
  LineItemBody,
  LineItemEventsQuery,
  LineItemUsageWindow,
  ListInvoicesQuery,
  RecordPaymentBody,
  RefundPaymentBody,
  UpdateInvoiceBody,
  UpdateLineItemBody,
} from '@afternoon/contracts/invoices';
import { MeterUsageEventList } from '@afternoon/contracts/meters';
import { Topics } from '@afternoon/contracts/topics';
import { newHostedInvoiceUrl, newResourceId } from '@afternoon/service-kit';
import { type Request, Router } from 'express';
import { commandRoute } from '../commands/commandRoute';
import { existingPathValue } from '../http/pathValue';
import { callerOf } from '../http/requestContext';
import { respond } from '../http/respond';
import { validate } from '../http/validation';
import { queryService } from '../queries/serviceQuery';
import type { RouteDeps } from '../routeDeps';

type Params = Request<Record<string, string>>;

/** `/v1/invoices`: writes become commands to invoicing-service, reads ask its read API. */
export function invoiceRoutes(deps: RouteDeps): Router {
  const router = Router();
  const invoiceCommand = (command: (request: Params, invoiceId: string) => InvoiceCommand, successStatus = 200) =>
    commandRoute(deps, (request) => {
      const invoiceId = request.params.id === undefined ? newResourceId() : existingId(request.params.id);
      return {
        topic: Topics.invoiceCommands,
        key: invoiceId,
        ...command(request, invoiceId),
        successStatus,
        successBody: (invoice) => ({ invoice: Invoice.parse(invoice) }),
      };
    });

  router.post(
    '/v1/invoices',
    invoiceCommand((request, invoice_id) => {
      const body = validate(CreateInvoiceBody, request.body);
      return {
        type: 'CreateInvoice',
        data: {
          invoice_id,
          customer_id: body.customer_id,
          currency: body.currency,
          terms: {
            collection_method: body.collection_method,
            days_until_due: body.days_until_due ?? null,
            due_date: body.due_date ?? null,
            memo: body.memo ?? null,
            metadata: body.metadata ?? {},
          },
          line_items: body.line_items.map((line) => ({ id: newResourceId(), ...line })),
        },
      };
    }, 201),
  );

  router.get('/v1/invoices/:id', async (request, response) => {
    const id = existingId(request.params.id);
    respond(
      response,
      200,
      await queryService(deps.services.invoicing, `/invoices/${id}`, callerOf(response), InvoiceAnswer),
    );
  });

  router.get('/v1/invoices', async (request, response) => {
    const query = validate(ListInvoicesQuery, request.query, 'query');
    const list = await queryService(deps.services.invoicing, '/invoices', callerOf(response), InvoiceList, {
      ...request.query,
      limit: String(query.limit),
    });
    respond(response, 200, list);
  });

  // The events a usage line billed: invoicing knows the line's window, metering lists the events inside it.
  router.get('/v1/invoices/:id/line_items/:line_item_id/events', async (request, response) => {
    const id = existingId(request.params.id);
    const lineItemId = existingPathValue(request.params.line_item_id, ResourceId, 'line item', 'line_item_id');
    const query = validate(LineItemEventsQuery, request.query, 'query');
    const caller = callerOf(response);
    const linePath = `/invoices/${id}/line-items/${lineItemId}/usage`;
    const line = await queryService(deps.services.invoicing, linePath, caller, LineItemUsageWindow);
    const { usage } = line;
    const eventsPath = `/customers/${line.customer_id}/meter-events`;
    const events = await queryService(deps.services.metering, eventsPath, caller, MeterUsageEventList, {
      meter: usage.meter_code,
      from: usage.from,
      to: usage.to,
      received_after: usage.received_after ?? undefined,
      received_through: usage.received_through,
      group: usage.group === null ? undefined : JSON.stringify(usage.group),
      limit: String(query.limit),
      cursor: query.cursor,
    });
    respond(response, 200, events);
  });

  router.patch(
    '/v1/invoices/:id',
    invoiceCommand((request, invoice_id) => ({
      type: 'UpdateInvoice',
      data: { invoice_id, changes: validate(UpdateInvoiceBody, request.body ?? {}) },
    })),
  );

  router.delete(
    '/v1/invoices/:id',
    commandRoute(deps, (request) => {
      const id = existingId(request.params.id);
      return {
        topic: Topics.invoiceCommands,
        key: id,
        type: 'DeleteInvoice',
        data: { invoice_id: id },
        successStatus: 200,
        successBody: (invoice) => ({ invoice: DeletedInvoice.parse(invoice) }),
      };
    }),
  );

  router.post(
    '/v1/invoices/:id/line_items',
    invoiceCommand((request, invoice_id) => ({
      type: 'AddInvoiceLineItem',
      data: { invoice_id, line_item: { id: newResourceId(), ...validate(LineItemBody, request.body) } },
    })),
  );

  router.patch(
    '/v1/invoices/:id/line_items/:line_item_id',
    invoiceCommand((request, invoice_id) => ({
      type: 'UpdateInvoiceLineItem',
      data: {
        invoice_id,
        line_item_id: existingLineItemId(request.params.line_item_id),
        changes: validate(UpdateLineItemBody, request.body ?? {}),
      },
    })),
  );

  router.delete(
    '/v1/invoices/:id/line_items/:line_item_id',
    invoiceCommand((request, invoice_id) => ({
      type: 'DeleteInvoiceLineItem',
      data: { invoice_id, line_item_id: existingLineItemId(request.params.line_item_id) },
    })),
  );

  // The token is made here, not in the service, so a retry with the same Idempotency-Key keeps its URL.
  router.post(
    '/v1/invoices/:id/finalize',
    invoiceCommand((_request, invoice_id) => ({
      type: 'FinalizeInvoice',
      data: { invoice_id, public_invoice_url: newHostedInvoiceUrl(deps.publicUrl) },
    })),
  );
  // Payment ids are made here, so a command redelivered or retried with the same Idempotency-Key records one payment.
  router.post(
    '/v1/invoices/:id/pay',
    invoiceCommand((_request, invoice_id) => ({
      type: 'PayInvoice',
      data: { invoice_id, payment_id: newResourceId() },
    })),
  );
  router.post(
    '/v1/invoices/:id/payments',
    commandRoute(deps, (request) => {
      const invoice_id = existingId(request.params.id);
      const body = validate(RecordPaymentBody, request.body);
      return {
        topic: Topics.invoiceCommands,
        key: invoice_id,
        type: 'RecordInvoicePayment',
        data: {
          invoice_id,
          payment_id: newResourceId(),
          amount_cents: body.amount_cents,
          method: body.method,
          reference: body.reference ?? null,
          paid_at: body.paid_at ?? null,
        },
        successStatus: 201,
        successBody: (result) => InvoicePaymentAnswer.parse(result),
      };
    }),
  );
  router.get('/v1/invoices/:id/payments', async (request, response) => {
    const id = existingId(request.params.id);
    const path = `/invoices/${id}/payments`;
    respond(response, 200, await queryService(deps.services.invoicing, path, callerOf(response), InvoicePaymentList));
  });
  router.post(
    '/v1/invoices/:id/payments/:payment_id/refund',
    commandRoute(deps, (request) => {
      const invoice_id = existingId(request.params.id);
      const payment_id = existingPathValue(request.params.payment_id, ResourceId, 'payment', 'payment_id');
      const body = validate(RefundPaymentBody, request.body ?? {});
      return {
        topic: Topics.invoiceCommands,
        key: invoice_id,
        type: 'RefundInvoicePayment',
        data: { invoice_id, payment_id, refund_id: newResourceId(), amount_cents: body.amount_cents ?? null },
        successStatus: 201,
        successBody: (result) => InvoiceRefundAnswer.parse(result),
      };
    }),
  );
  router.post(
    '/v1/invoices/:id/void',
    invoiceCommand((_request, invoice_id) => ({ type: 'VoidInvoice', data: { invoice_id } })),
  );
  router.post(
    '/v1/invoices/:id/mark_uncollectible',
    invoiceCommand((_request, invoice_id) => ({ type: 'MarkInvoiceUncollectible', data: { invoice_id } })),
  );

  return router;
}

const existingId = (value: string | undefined) => existingPathValue(value, ResourceId, 'invoice', 'id');
const existingLineItemId = (value: string | undefined) =>
  existingPathValue(value, ResourceId, 'line item', 'line_item_id');
