import { currencyMinorUnits } from '@afternoon/contracts/currencies';
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

/**
 * Formats an integer amount of the currency's minor units with exactly its ISO 4217 decimals (¥1,234, $12.34,
 * KWD 1.234), the same table that validates and bounds amounts. The amount goes to Intl as an exact decimal string,
 * never divided as a float. A code from before currencies were checked is shown with 2 decimals.
 */
export function formatMoney(cents: number, currency: string): string {
  const digits = currencyMinorUnits.get(currency.toLowerCase()) ?? 2;
  const format = new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency: currency.toUpperCase(),
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return format.format(decimalOfMinorUnits(cents, digits));
}

/** `123456` with 3 decimals is "123.456"; `-5` with 2 is "-0.05". */
function decimalOfMinorUnits(minor: number, digits: number): `${number}` {
  const sign = minor < 0 ? '-' : '';
  const text = Math.abs(minor)
    .toString()
    .padStart(digits + 1, '0');
  const whole = text.slice(0, text.length - digits);
  return (digits === 0 ? `${sign}${whole}` : `${sign}${whole}.${text.slice(text.length - digits)}`) as `${number}`;
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
