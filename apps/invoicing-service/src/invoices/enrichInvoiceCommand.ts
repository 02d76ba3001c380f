import type { InvoiceCustomer } from '@afternoon/contracts/invoices';
import { type CommandContext, NotFoundError, type Tenant, type Transaction } from '@afternoon/service-kit';
import { customerClockTimes, customerNow } from '../customerClock/customerClock';
import { currentCustomer, findCustomers, knownCustomer } from '../customers/knownCustomers';
import { type InvoiceCommand, invoiceNotFound, type SentInvoiceCommand } from './businessLogic';
import { nextInvoiceNumber, nextInvoiceNumbers } from './invoiceNumbers';

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
      const [enriched] = await enrichBoundaryInvoices(tx, tenant, [command]);
      if (!enriched) throw new Error('a boundary invoice was not enriched');
      return enriched;
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

type BoundaryInvoiceCommand = Extract<SentInvoiceCommand, { type: 'BillSubscriptionPeriod' }>;

/**
 * Boundary invoices of one tenant, enriched as `enrichInvoiceCommand` does one, in three statements however many:
 * each customer known since their subscription was made (no catch-up needed; a deleted customer's last stretch is
 * still billed to them), their clock's time, and numbers taken in the order given.
 */
export async function enrichBoundaryInvoices(
  tx: Transaction,
  tenant: Tenant,
  commands: readonly BoundaryInvoiceCommand[],
): Promise<Extract<InvoiceCommand, { type: 'BillSubscriptionPeriod' }>[]> {
  const customerIds = [...new Set(commands.map((command) => command.data.customer_id))];
  const customers = await findCustomers(tx, tenant, customerIds, 'ever');
  const missing = customerIds.find((id) => !customers.has(id));
  if (missing) throw new NotFoundError(`No such customer: '${missing}'`, 'customer_id');
  const clockTimes = await customerClockTimes(tx, tenant, customerIds);
  const numbers = await nextInvoiceNumbers(tx, tenant, commands.length);
  return commands.map((command, index) => {
    const customerId = command.data.customer_id;
    const customer = customers.get(customerId) as InvoiceCustomer;
    const issuedAt = clockTimes.get(customerId) ?? new Date(command.metadata.issued_at);
    const invoice_number = numbers[index] as string;
    return {
      ...command,
      metadata: { ...command.metadata, issued_at: issuedAt.toISOString() },
      data: { ...command.data, customer, invoice_number },
    };
  });
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
