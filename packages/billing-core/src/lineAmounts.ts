import type { LineItem, SubscriptionLineItem } from '@afternoon/contracts/invoices';
import { decimalFromInteger, multiplyDecimals, parseDecimal, roundToWholeCents } from './exactDecimal';
import { boundedInvoiceTotal, boundedLineAmount } from './moneyBounds';

/**
 * `quantity × unitAmountCents`, rounded to a whole minor unit half away from zero (half-up for the non-negative
 * amounts the API accepts), in exact decimal arithmetic: `quantity` is a decimal string such as "2.5". Past a line's
 * bound it is a MoneyBoundError naming `param`.
 */
export function lineAmountCents(quantity: string, unitAmountCents: number, param = 'unit_amount_cents'): number {
  const exact = multiplyDecimals(parseDecimal(quantity), decimalFromInteger(unitAmountCents));
  return boundedLineAmount(roundToWholeCents(exact), 'the line amount (quantity × unit_amount_cents)', param);
}

/** Refuses a draft's hand-written lines of which one, or whose total, would cross the money bounds. */
export function checkManualLines(
  lines: readonly LineItem[],
  params: { line(index: number): string; total: string },
): void {
  const amounts = lines.map((line, index) =>
    lineAmountCents(line.quantity, line.unit_amount_cents, params.line(index)),
  );
  boundedInvoiceTotal(amounts, params.total);
}

/** Refuses a subscription's lines of which one, or whose total, would cross the money bounds. */
export function checkSubscriptionLines(lines: readonly SubscriptionLineItem[]): void {
  const amounts = lines.map((line, index) =>
    boundedLineAmount(BigInt(line.amount_cents), `line '${line.description}'`, `line_items[${index}].amount_cents`),
  );
  boundedInvoiceTotal(amounts, 'line_items');
}
