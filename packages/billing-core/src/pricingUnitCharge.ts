import type { LinePricingUnit } from '@afternoon/contracts/invoices';
import type { PriceInPricingUnit } from '@afternoon/contracts/plans';
import {
  addDecimals,
  compareDecimals,
  type ExactDecimal,
  formatDecimal,
  multiplyDecimals,
  parseDecimal,
  roundToWholeCents,
  subtractDecimals,
  zero,
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
 * The line for `units` of `unit` (the price's model charge in the unit, exact), `covered` of them paid by credits
 * granted in the unit: the units as the line shows them, and the amount of the units left to bill, converted and
 * rounded half up once. A line past ±10^15 minor units is refused with a MoneyBoundError naming `what`.
 */
export function pricingUnitLine(
  unit: PriceInPricingUnit,
  units: ExactDecimal,
  what: string,
  covered: ExactDecimal = zero,
): BilledUsage {
  const billed = subtractDecimals(units, covered);
  return { amount_cents: convertedCents(unit, billed, what), pricing_unit: shownUnits(unit, units, covered, billed) };
}

/**
 * A late usage line in a pricing unit: the units of the span's usage and the late usage together (`together`) minus
 * those of the span's alone (`alone`), of which credits covered `late`, `onTime` having been taken off the span's
 * own line. Its amount is what the two lines' billed units convert to together minus what the
 * span's line billed, each rounded once, so the two lines add up to one conversion of everything they bill.
 */
export function pricingUnitLateLine(
  unit: PriceInPricingUnit,
  { together, alone }: { together: ExactDecimal; alone: ExactDecimal },
  { onTime, late }: { onTime: ExactDecimal; late: ExactDecimal },
  what: string,
): BilledUsage {
  const billedAlone = subtractDecimals(alone, onTime);
  const billedTogether = subtractDecimals(together, addDecimals(onTime, late));
  const amount = convertedCents(unit, billedTogether, what) - convertedCents(unit, billedAlone, what);
  const units = subtractDecimals(together, alone);
  return { amount_cents: amount, pricing_unit: shownUnits(unit, units, late, subtractDecimals(units, late)) };
}

function convertedCents(unit: PriceInPricingUnit, billed: ExactDecimal, what: string): number {
  const exactCents = multiplyDecimals(billed, parseDecimal(unit.unit_amount));
  return boundedLineAmount(roundToWholeCents(exactCents), `the charge of '${what}'`);
}

/** The units a line shows; `covered` and `billed` only when credits covered some of them. */
function shownUnits(
  unit: PriceInPricingUnit,
  units: ExactDecimal,
  covered: ExactDecimal,
  billed: ExactDecimal,
): LinePricingUnit {
  const shown = { code: unit.code, quantity: formatDecimal(units), unit_amount: unit.unit_amount };
  if (compareDecimals(covered, zero) === 0) return shown;
  return { ...shown, covered: formatDecimal(covered), billed: formatDecimal(billed) };
}
