import {
  InvoiceCommand as InvoiceCommandSchema,
  InvoiceEvent,
  invoiceEventWireNames,
} from '@afternoon/contracts/invoices';
import { type AggregateDefinition, commandTypesOf, type Slice } from '@afternoon/service-kit';
import { invoiceRoutes } from './api';
import { type InvoiceCommand, invoiceDecider, type SentInvoiceCommand } from './businessLogic';
import { enrichInvoiceCommand } from './enrichInvoiceCommand';
import { invoicesProjection } from './getInvoices';
import { type InvoiceState, toInvoice } from './invoice';

export const invoiceAggregate: AggregateDefinition<SentInvoiceCommand, InvoiceEvent, InvoiceState, InvoiceCommand> = {
  commandTypes: commandTypesOf(InvoiceCommandSchema),
  commandSchema: InvoiceCommandSchema,
  eventSchema: InvoiceEvent,
  eventWireNames: invoiceEventWireNames,
  streamId: (command) => `invoice-${command.data.invoice_id}`,
  decider: invoiceDecider,
  result: (state, command) =>
    state.status === 'absent' || state.status === 'deleted'
      ? { id: command.data.invoice_id, deleted: true }
      : toInvoice(state),
  enrich: enrichInvoiceCommand,
};

/** Invoices: drafted line by line, finalized with the next number, paid or voided by command, and read back. */
export const invoicesSlice: Slice = {
  name: 'invoices',
  aggregates: [invoiceAggregate],
  projections: [invoicesProjection],
  routes: invoiceRoutes,
};
