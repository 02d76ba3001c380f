import { formatMoney } from '@afternoon/billing-core/moneyFormat';
import type { Invoice, InvoiceCustomer } from '@afternoon/contracts/invoices';
import { countryName, type OrganizationProfile } from '@afternoon/contracts/organizationProfile';

/** The seller as its invoices present it: its organization profile (name, logo, colour, address, tax id, support). */
export type InvoiceSeller = Omit<OrganizationProfile, 'organization_id' | 'updated_at'>;

/** What the hosted page and its PDF both show: the finalized invoice, its customer and the seller's branding. */
export interface HostedInvoiceView {
  seller: InvoiceSeller;
  invoice: Invoice;
  customer: InvoiceCustomer;
}

/** The span a subscription's line bills, by UTC date ("2027-01-01 to 2027-02-01"); hand-written lines have none. */
export function linePeriod(line: Invoice['line_items'][number]): string | null {
  if (line.period_start === null || line.period_end === null) return null;
  return `${line.period_start.slice(0, 10)} to ${line.period_end.slice(0, 10)}`;
}

/**
 * What a line says under its description besides its period: a pricing-unit line's units (and, when credits covered
 * some, how many they covered and how many were billed), a `credit_applied` line's grants with their parts.
 */
export function lineNotes(line: Invoice['line_items'][number], currency: string): string[] {
  const unit = line.pricing_unit;
  const notes: string[] = [];
  if (unit) {
    const units = `${unit.quantity} ${unit.code}`;
    notes.push(
      unit.covered === undefined ? units : `${units}: ${unit.covered} covered by credits, ${unit.billed} billed`,
    );
  }
  for (const grant of line.credit_grants ?? [])
    notes.push(`${grant.name}: ${formatMoney(grant.amount_cents, currency)}`);
  return notes;
}

function formatDate(value: string | null): string {
  if (!value) return '—';
  return new Date(value).toLocaleDateString('en-US', {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    timeZone: 'UTC',
  });
}

export const finalizedDate = (invoice: Invoice) => formatDate(invoice.status_transitions.finalized_at);

// due_date is a calendar date with no time zone; read at UTC midnight so it never shifts a day.
export const dueDate = (invoice: Invoice) => (invoice.due_date ? formatDate(`${invoice.due_date}T00:00:00Z`) : '—');

export const paidDate = (invoice: Invoice) => formatDate(invoice.status_transitions.paid_at);

export const statusLabels: Record<string, string> = {
  open: 'Open — payment due',
  paid: 'Paid',
  void: 'Void — this invoice has been voided and is no longer payable',
  uncollectible: 'Uncollectible',
};

export function billingAddressLines(customer: HostedInvoiceView['customer']): string[] {
  const address = customer.billing_address;
  if (!address) return [];
  return [
    address.line1,
    address.line2,
    [address.city, address.state, address.postal_code].filter(Boolean).join(', '),
    address.country,
  ].filter((line): line is string => Boolean(line));
}

/** The seller's address, tax id and support email, one printed line each, in the order the page and PDF show them. */
export function sellerDetailLines(seller: InvoiceSeller): string[] {
  const address = seller.address;
  const addressLines = address
    ? [
        address.line1,
        address.line2,
        [address.postal_code, address.city, address.state].filter(Boolean).join(' '),
        countryName(address.country),
      ]
    : [];
  return [
    ...addressLines,
    ...(seller.tax_id ? [`Tax ID: ${seller.tax_id}`] : []),
    ...(seller.support_email ? [seller.support_email] : []),
  ].filter((line): line is string => Boolean(line));
}
