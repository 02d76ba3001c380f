import {
  InvoiceCommand as InvoiceCommandSchema,
  InvoiceEvent,
  invoiceEventWireNames,
} from '@afternoon/contracts/invoices';
import type { AggregateDefinition } from '@afternoon/service-kit';
import { type InvoiceCommand, invoiceDecider, type SentInvoiceCommand } from './businessLogic';
import { enrichInvoiceCommand } from './enrichInvoiceCommand';
import { type InvoiceState, toInvoice } from './invoice';

export { invoiceRoutes } from './api';
export { invoicesProjection } from './getInvoices';

export const invoiceAggregate: AggregateDefinition<SentInvoiceCommand, InvoiceEvent, InvoiceState, InvoiceCommand> = {
  commandTypes: InvoiceCommandSchema.options.map((option) => option.shape.type.value),
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
