import {
  InvoiceCommand as InvoiceCommandSchema,
  InvoiceEvent,
  invoiceEventWireNames,
} from '@afternoon/contracts/invoices';
import {
  type AggregateDefinition,
  type CommandContext,
  commandTypesOf,
  type Slice,
  type Tenant,
  type Transaction,
} from '@afternoon/service-kit';
import { customerNow } from '../customerClock/customerClock';
import { currentCustomer, findCustomer, knownCustomer } from '../customers/knownCustomers';
import { invoiceRoutes } from './api';
import { type InvoiceCommand, invoiceDecider } from './businessLogic';
import { invoicesProjection } from './getInvoices';
import { type InvoiceState, toInvoice } from './invoice';
import { nextInvoiceNumber } from './invoiceNumbers';

export const invoiceAggregate: AggregateDefinition<InvoiceCommand, InvoiceEvent, InvoiceState> = {
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

/**
 * Brings `decide` what lives outside the stream: the customer's details and the next invoice number; and for a
 * customer on a test clock, the clock's time as the command's, so their invoices are dated by it.
 */
async function enrichInvoiceCommand(
  tx: Transaction,
  command: InvoiceCommand,
  context: CommandContext,
): Promise<InvoiceCommand> {
  const tenant: Tenant = { organizationId: command.metadata.organization_id, mode: command.metadata.mode };
  const customerId =
    'customer_id' in command.data
      ? command.data.customer_id
      : await customerIdOfInvoice(tx, tenant, command.data.invoice_id);
  if (customerId === undefined) return command;
  // The customer first (caught up with customer.events, so one created a moment ago is known, with its clock).
  const withCustomer = await withCustomerDetails(tx, command, tenant, customerId, context);
  const now = await customerNow(tx, tenant, customerId, new Date(command.metadata.issued_at));
  const dated = { ...withCustomer, metadata: { ...withCustomer.metadata, issued_at: now.toISOString() } };
  // Taken last, so the sequence row stays locked only for the rest of this transaction.
  switch (dated.type) {
    case 'FinalizeInvoice':
      return { ...dated, data: { ...dated.data, invoice_number: await nextInvoiceNumber(tx, tenant) } };
    case 'BillSubscriptionPeriod':
      return { ...dated, data: { ...dated.data, invoice_number: await nextInvoiceNumber(tx, tenant) } };
    default:
      return dated;
  }
}

async function withCustomerDetails(
  tx: Transaction,
  command: InvoiceCommand,
  tenant: Tenant,
  customerId: string,
  context: CommandContext,
): Promise<InvoiceCommand> {
  switch (command.type) {
    case 'CreateInvoice':
      return { ...command, data: { ...command.data, customer: await knownCustomer(tx, tenant, customerId, context) } };
    case 'BillSubscriptionPeriod':
      // Known since the subscription was made (no catch-up needed); a deleted customer's last stretch is still
      // billed to them.
      return { ...command, data: { ...command.data, customer: await findCustomer(tx, tenant, customerId, 'ever') } };
    case 'FinalizeInvoice': {
      const customer = await currentCustomer(tx, tenant, customerId, context);
      return { ...command, data: { ...command.data, customer } };
    }
    default:
      return command;
  }
}

async function customerIdOfInvoice(tx: Transaction, tenant: Tenant, invoiceId: string): Promise<string | undefined> {
  const { rows } = await tx.query<{ customer_id: string }>(
    'SELECT customer_id FROM invoices WHERE id = $1 AND organization_id = $2 AND mode = $3',
    [invoiceId, tenant.organizationId, tenant.mode],
  );
  return rows[0]?.customer_id;
}

/** Invoices: drafted line by line, finalized with the next number, paid or voided by command, and read back. */
export const invoicesSlice: Slice = {
  name: 'invoices',
  aggregates: [invoiceAggregate],
  projections: [invoicesProjection],
  routes: invoiceRoutes,
};
