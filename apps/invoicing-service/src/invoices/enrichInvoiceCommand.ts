import { type CommandContext, NotFoundError, type Tenant, type Transaction } from '@afternoon/service-kit';
import { customerNow } from '../customerClock/customerClock';
import { currentCustomer, findCustomer, knownCustomer } from '../customers/knownCustomers';
import { type InvoiceCommand, invoiceNotFound, type SentInvoiceCommand } from './businessLogic';
import { nextInvoiceNumber } from './invoiceNumbers';

/**
 * Brings `decide` what lives outside the stream: the customer's details and the next invoice number; and for a
 * customer on a test clock, the clock's time as the command's, so their invoices are dated by it.
 */
export async function enrichInvoiceCommand(
  tx: Transaction,
  command: SentInvoiceCommand,
  context: CommandContext,
): Promise<InvoiceCommand> {
  const tenant: Tenant = { organizationId: command.metadata.organization_id, mode: command.metadata.mode };
  // The customer first (caught up with customer.events, so one created a moment ago is known, with its clock); the
  // invoice number last, so the sequence row stays locked only for the rest of this transaction.
  switch (command.type) {
    case 'CreateInvoice': {
      const customer = await knownCustomer(tx, tenant, command.data.customer_id, context);
      const dated = await onCustomerClock(tx, tenant, command.data.customer_id, command);
      return { ...dated, data: { ...dated.data, customer } };
    }
    case 'BillSubscriptionPeriod': {
      // Known since the subscription was made (no catch-up needed); a deleted customer's last stretch is still
      // billed to them.
      const customerId = command.data.customer_id;
      const customer = await findCustomer(tx, tenant, customerId, 'ever');
      if (!customer) throw new NotFoundError(`No such customer: '${customerId}'`, 'customer_id');
      const dated = await onCustomerClock(tx, tenant, customerId, command);
      return { ...dated, data: { ...dated.data, customer, invoice_number: await nextInvoiceNumber(tx, tenant) } };
    }
    case 'FinalizeInvoice': {
      const customerId = await customerIdOfInvoice(tx, tenant, command.data.invoice_id);
      if (customerId === undefined) throw invoiceNotFound(command.data.invoice_id);
      const customer = (await currentCustomer(tx, tenant, customerId, context)) ?? null;
      const dated = await onCustomerClock(tx, tenant, customerId, command);
      return { ...dated, data: { ...dated.data, customer, invoice_number: await nextInvoiceNumber(tx, tenant) } };
    }
    default: {
      const customerId = await customerIdOfInvoice(tx, tenant, command.data.invoice_id);
      return customerId === undefined ? command : onCustomerClock(tx, tenant, customerId, command);
    }
  }
}

async function onCustomerClock<C extends SentInvoiceCommand>(
  tx: Transaction,
  tenant: Tenant,
  customerId: string,
  command: C,
): Promise<C> {
  const now = await customerNow(tx, tenant, customerId, new Date(command.metadata.issued_at));
  return { ...command, metadata: { ...command.metadata, issued_at: now.toISOString() } };
}

async function customerIdOfInvoice(tx: Transaction, tenant: Tenant, invoiceId: string): Promise<string | undefined> {
  const { rows } = await tx.query<{ customer_id: string }>(
    'SELECT customer_id FROM invoices WHERE id = $1 AND organization_id = $2 AND mode = $3',
    [invoiceId, tenant.organizationId, tenant.mode],
  );
  return rows[0]?.customer_id;
}
