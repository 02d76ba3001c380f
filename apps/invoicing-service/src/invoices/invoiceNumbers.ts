import type { Tenant, Transaction } from '@afternoon/service-kit';

/** `INV-0001`: the organization and mode's sequence number, four digits at least. */
export function formatInvoiceNumber(number: number): string {
  return `INV-${String(number).padStart(4, '0')}`;
}

/** A Postgres pattern whose one group is the sequence number of an invoice number `formatInvoiceNumber` made. */
export const invoiceNumberPattern = '^INV-([0-9]+)$';

/**
 * Takes the next number of the organization and mode in the command's transaction: the row lock of the upsert
 * makes concurrent finalizes wait for each other, and a refused finalize rolls its number back, so numbers are
 * consecutive with no gaps and no duplicates.
 */
export async function nextInvoiceNumber(tx: Transaction, tenant: Tenant): Promise<string> {
  const [number] = await nextInvoiceNumbers(tx, tenant, 1);
  if (number === undefined) throw new Error('invoice number sequence returned no row');
  return number;
}

/** The next `count` numbers of the organization and mode, in order, taken at once as `nextInvoiceNumber` takes one. */
export async function nextInvoiceNumbers(tx: Transaction, tenant: Tenant, count: number): Promise<string[]> {
  const { rows } = await tx.query<{ last_number: number }>(
    `INSERT INTO invoice_number_sequences (organization_id, mode, last_number) VALUES ($1, $2, $3)
     ON CONFLICT (organization_id, mode) DO UPDATE SET last_number = invoice_number_sequences.last_number + $3
     RETURNING last_number`,
    [tenant.organizationId, tenant.mode, count],
  );
  const last = rows[0]?.last_number;
  if (last === undefined) throw new Error('invoice number sequence returned no row');
  return Array.from({ length: count }, (_, index) => formatInvoiceNumber(last - count + 1 + index));
}
