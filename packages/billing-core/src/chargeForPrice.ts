import type { PackagePrice, PerUnitPrice, Price } from '@afternoon/contracts/plans';
import {
  decimalFromInteger,
  divideRoundingUp,
  type ExactDecimal,
  formatDecimal,
  maxDecimal,
  multiplyDecimals,
  parseDecimal,
  roundToWholeCents,
  subtractDecimals,
  zero,
} from './exactDecimal';
import { boundedLineAmount } from './moneyBounds';
import { graduatedCharge, volumeCharge } from './tieredCharges';

/** What one price charges for one period. */
export interface Charge {
  /** Before rounding, in exact decimal cents ("3086.4175"). */
  exactCents: string;
  /** The invoice line's amount: `exactCents` rounded half-up to a whole cent, once, at the end. */
  amountCents: number;
}

function perUnitCharge(price: PerUnitPrice, quantity: ExactDecimal): ExactDecimal {
  const billable = maxDecimal(zero, subtractDecimals(quantity, decimalFromInteger(price.free_units ?? 0)));
  return multiplyDecimals(billable, parseDecimal(price.unit_amount));
}

function packageCharge(price: PackagePrice, quantity: ExactDecimal): ExactDecimal {
  const packages = divideRoundingUp(quantity.units, 10n ** BigInt(quantity.scale) * BigInt(price.package_size));
  return multiplyDecimals(decimalFromInteger(packages), parseDecimal(price.package_amount));
}

/**
 * What the price's model charges for `quantity` units, exact, before its minimum and before any rounding: the one
 * place each model's arithmetic lives, shared by the invoice line (below) and live rating (usageRating.ts).
 */
export function modelCharge(price: Price, quantity: ExactDecimal): ExactDecimal {
  switch (price.model) {
    case 'flat':
      return decimalFromInteger(price.amount_cents);
    case 'per_unit':
      return perUnitCharge(price, quantity);
    case 'graduated':
      return graduatedCharge(price.tiers, quantity);
    case 'volume':
      return volumeCharge(price.tiers, quantity);
    case 'package':
      return packageCharge(price, quantity);
    default: {
      const unknown: never = price;
      throw new TypeError(`unknown price model: ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * The charge of `price` for a period whose usage of its meter is `usage`, an exact decimal string as meters report
 * it ("1234.5"); a flat price ignores it. Usage below zero bills as zero. The charge is computed exactly, raised to
 * `minimum_amount_cents`, and only then rounded half-up to a whole minor unit, so fractions of one are never rounded
 * unit by unit. A charge past a line's bound (±10^15 minor units) is refused with a MoneyBoundError.
 */
export function chargeForPrice(price: Price, usage: string): Charge {
  const quantity = maxDecimal(zero, parseDecimal(usage));
  const minimum = decimalFromInteger(price.minimum_amount_cents ?? 0);
  const exact = maxDecimal(minimum, modelCharge(price, quantity));
  const amountCents = boundedLineAmount(roundToWholeCents(exact), `the charge of '${price.description}'`);
  return { exactCents: formatDecimal(exact), amountCents };
}
