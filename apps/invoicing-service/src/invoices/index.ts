import {
  InvoiceCommand as InvoiceCommandSchema,
  type InvoicePayment,
  InvoiceStreamEvent,
  invoiceStreamEventWireNames,
} from '@afternoon/contracts/invoices';
import { type AggregateDefinition, commandTypesOf, type Slice } from '@afternoon/service-kit';
import { invoiceRoutes } from './api';
import { type InvoiceCommand, invoiceDecider, type SentInvoiceCommand } from './businessLogic';
import { enrichInvoiceCommand } from './enrichInvoiceCommand';
import { invoicesProjection } from './getInvoices';
import { type InvoiceState, toInvoice } from './invoice';
import { isIssued, paymentsOf } from './payments';

export const invoiceAggregate: AggregateDefinition<
  SentInvoiceCommand,
  InvoiceStreamEvent,
  InvoiceState,
  InvoiceCommand
> = {
  commandTypes: commandTypesOf(InvoiceCommandSchema),
  commandSchema: InvoiceCommandSchema,
  eventSchema: InvoiceStreamEvent,
  eventWireNames: invoiceStreamEventWireNames,
  streamId: (command) => `invoice-${command.data.invoice_id}`,
  decider: invoiceDecider,
  result(state, command) {
    if (state.status === 'absent' || state.status === 'deleted') return { id: command.data.invoice_id, deleted: true };
    const entry = (id: string): InvoicePayment | undefined =>
      isIssued(state) ? paymentsOf(state).find((payment) => payment.id === id) : undefined;
    switch (command.type) {
      case 'RecordInvoicePayment':
        return { payment: entry(command.data.payment_id), invoice: toInvoice(state) };
      case 'RefundInvoicePayment':
        return { refund: entry(command.data.refund_id), invoice: toInvoice(state) };
      case 'RecordInvoicePaymentFailure':
        return { payment: entry(command.data.attempt_id), invoice: toInvoice(state) };
      default:
        return toInvoice(state);
    }
  },
  enrich: enrichInvoiceCommand,
};

/** Invoices: drafted line by line, finalized with the next number, paid or voided by command, and read back. */
export const invoicesSlice: Slice = {
  name: 'invoices',
  aggregates: [invoiceAggregate],
  projections: [invoicesProjection],
  routes: invoiceRoutes,
};
