import { z } from 'zod';

/*
 * Amounts are integers of the currency's minor unit ("cents" in field names: yen for jpy, fils for kwd). The bounds
 * keep every amount and every sum of two of them far inside a JS number's exact integers (2^53 − 1 ≈ 9.007 × 10^15);
 * docs/decisions/0004-money-bounds.md says why these.
 */

/** The most one price or unit amount may be: 10^12 minor units (10 billion dollars, a trillion yen). */
export const maxPriceAmountCents = 1e12;

/** The most one invoice line may amount to, and the least (a credit): ±10^15 minor units. */
export const maxLineAmountCents = 1e15;

/** The most an invoice's total may be, and the least: ±10^15 minor units. */
export const maxInvoiceTotalCents = 1e15;

/**
 * A price's whole amount of minor units as stored: any non-negative integer, as events stored before the 10^12 bound
 * may hold (docs/decisions/0010-wire-and-enriched-commands.md); only what is read back parses with it.
 */
export const StoredPriceAmountCents = z.number().int().min(0);

/** A price's whole amount of minor units (`amount_cents`, `minimum_amount_cents`): 0 to 10^12. */
export const PriceAmountCents = StoredPriceAmountCents.max(maxPriceAmountCents);

const decimalCentsFormat = /^(?:0|[1-9]\d{0,12})(?:\.\d{1,12})?$/;

/** An exact decimal amount of minor units as stored: `DecimalCents`' format, without its 10^12 bound. */
export const StoredDecimalCents = z
  .string()
  .regex(decimalCentsFormat, 'must be a non-negative decimal string with at most 13 integer digits and 12 decimals');

/**
 * An exact non-negative amount of minor units as a decimal string ("0.0025"): up to 13 integer digits without leading
 * zeros and up to 12 decimals, at most 10^12. A string, so fractions of a minor unit survive exactly.
 */
export const DecimalCents = StoredDecimalCents.refine(withinPriceBound, `must be at most ${maxPriceAmountCents}`);
export type DecimalCents = z.infer<typeof DecimalCents>;

/** Compared exactly: "1000000000000.000000000001" is over, though a JS number would round it to 10^12. */
function withinPriceBound(decimal: string): boolean {
  if (!decimalCentsFormat.test(decimal)) return true;
  const [whole = '0', fraction = ''] = decimal.split('.');
  const bound = BigInt(maxPriceAmountCents);
  return BigInt(whole) < bound || (BigInt(whole) === bound && !/[1-9]/.test(fraction));
}
