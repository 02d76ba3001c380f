import type { Denomination } from '@afternoon/contracts/credits';
import type { Price } from '@afternoon/contracts/plans';
import { modelCharge } from './chargeForPrice';
import {
  addDecimals,
  decimalFromInteger,
  type ExactDecimal,
  formatDecimal,
  maxDecimal,
  parseDecimal,
  roundToWholeCents,
  subtractDecimals,
  zero,
} from './exactDecimal';

/*
 * Live rating (docs/decisions/0015-credits-and-rating-live-in-invoicing.md): an event's cost under a usage price is
 * the period's charge after it minus the charge before it, so the costs of a period telescope to the period's charge.
 * The price's minimum is left out: it tops the line up at the period's end and is not the cost of any one event.
 */

/** Whether a price rates in a currency's minor units or in a pricing unit. */
export type DenominationType = Denomination['type'];

/**
 * The exact charge of `price`'s model for a period total of `quantity`, without the price's minimum; usage below zero
 * rates as zero and a flat price, which no usage moves, rates 0.
 */
export function ratedCharge(price: Price, quantity: ExactDecimal): ExactDecimal {
  if (price.model === 'flat') return zero;
  return modelCharge(price, maxDecimal(zero, quantity));
}

/** A currency's charge is rounded the way the invoice line rounds it (once, half up); a pricing unit's stays exact. */
function settledCharge(price: Price, quantity: ExactDecimal, denomination: DenominationType): ExactDecimal {
  const exact = ratedCharge(price, quantity);
  return denomination === 'currency' ? decimalFromInteger(roundToWholeCents(exact)) : exact;
}

/**
 * The cost of adding `added` units to a period whose total so far is `before` (exact decimal strings, either may be
 * negative for a sum meter), as a signed exact decimal string: whole minor units for a currency, exact for a pricing
 * unit. Negative when the charge falls (a volume price reaching a cheaper tier, a negative sum).
 */
export function marginalCost(price: Price, before: string, added: string, denomination: DenominationType): string {
  const totalBefore = parseDecimal(before);
  const totalAfter = addDecimals(totalBefore, parseDecimal(added));
  const cost = subtractDecimals(
    settledCharge(price, totalAfter, denomination),
    settledCharge(price, totalBefore, denomination),
  );
  return formatDecimal(cost);
}
