import type { PriceTier } from '@afternoon/contracts/plans';
import {
  addDecimals,
  compareDecimals,
  decimalFromInteger,
  type ExactDecimal,
  minDecimal,
  multiplyDecimals,
  parseDecimal,
  subtractDecimals,
  zero,
} from './exactDecimal';

/*
 * Tier semantics, as Stripe's: `up_to` is inclusive, so with tiers up to 100 and up to 1000 units 1–100 fall in the
 * first and 101–1000 in the second; the last tier (`up_to: null`) takes everything above. Fractional usage splits
 * at the same bounds (100.5 units are 100 in the first tier and 0.5 in the second). A tier is entered once any usage
 * falls in it, so zero usage enters no tier and charges no tier's `flat_amount`.
 */

function tierCharge(tier: PriceTier, units: ExactDecimal): ExactDecimal {
  const unitsCharge = multiplyDecimals(units, parseDecimal(tier.unit_amount));
  return tier.flat_amount === undefined ? unitsCharge : addDecimals(unitsCharge, parseDecimal(tier.flat_amount));
}

/** Graduated: each unit at the price of the tier it falls in, plus the `flat_amount` of every tier entered. */
export function graduatedCharge(tiers: readonly PriceTier[], quantity: ExactDecimal): ExactDecimal {
  let charge = zero;
  let lowerBound = zero;
  for (const tier of tiers) {
    if (compareDecimals(quantity, lowerBound) <= 0) break;
    const upperBound = tier.up_to === null ? quantity : minDecimal(quantity, decimalFromInteger(tier.up_to));
    charge = addDecimals(charge, tierCharge(tier, subtractDecimals(upperBound, lowerBound)));
    if (tier.up_to === null) break;
    lowerBound = decimalFromInteger(tier.up_to);
  }
  return charge;
}

/** Volume: every unit at the price of the tier the total reaches, plus that one tier's `flat_amount`. */
export function volumeCharge(tiers: readonly PriceTier[], quantity: ExactDecimal): ExactDecimal {
  if (compareDecimals(quantity, zero) <= 0) return zero;
  const reached = tiers.find(
    (tier) => tier.up_to === null || compareDecimals(quantity, decimalFromInteger(tier.up_to)) <= 0,
  );
  if (!reached) throw new RangeError('tiers must end with an unbounded tier (up_to: null)');
  return tierCharge(reached, quantity);
}
