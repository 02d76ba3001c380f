import type { LinePricingUnit } from '@afternoon/contracts/invoices';
import type { PriceInPricingUnit } from '@afternoon/contracts/plans';
import {
  type ExactDecimal,
  formatDecimal,
  multiplyDecimals,
  parseDecimal,
  roundToWholeCents,
  subtractDecimals,
} from './exactDecimal';
import { boundedLineAmount } from './moneyBounds';

/*
 * A usage price stated in a pricing unit (`gpu_sec`, `token`) charges its model in that unit, exactly, and its line
 * bills the units converted at the rate the plan version keeps: minor units = units × unit_amount, rounded half up
 * once per line. Price minimums are not allowed on such prices (the plan contract refuses them).
 */

/** What a usage line bills in the invoice's currency, and for a price in a pricing unit, the units behind it. */
export interface BilledUsage {
  amount_cents: number;
  pricing_unit?: LinePricingUnit;
}

/**
 * The line for `unitsToBill` units of `unit` (the price's model charge in the unit, exact; what credits covered is
 * to be taken off before it comes here): the units as the line shows them and their amount, converted and rounded
 * half up once. A line past ±10^15 minor units is refused with a MoneyBoundError naming `what`.
 */
export function pricingUnitLine(unit: PriceInPricingUnit, unitsToBill: ExactDecimal, what: string): BilledUsage {
  const exactCents = multiplyDecimals(unitsToBill, parseDecimal(unit.unit_amount));
  return {
    amount_cents: boundedLineAmount(roundToWholeCents(exactCents), `the charge of '${what}'`),
    pricing_unit: { code: unit.code, quantity: formatDecimal(unitsToBill), unit_amount: unit.unit_amount },
  };
}

/**
 * The margin between what two totals bill (late usage: the span's usage and the late usage together, minus the span's
 * alone): the difference of their amounts, each rounded once, and of their units.
 */
export function billedDifference(together: BilledUsage, alone: BilledUsage): BilledUsage {
  const amount_cents = together.amount_cents - alone.amount_cents;
  if (!together.pricing_unit || !alone.pricing_unit) return { amount_cents };
  const units = subtractDecimals(
    parseDecimal(together.pricing_unit.quantity),
    parseDecimal(alone.pricing_unit.quantity),
  );
  return { amount_cents, pricing_unit: { ...together.pricing_unit, quantity: formatDecimal(units) } };
}
