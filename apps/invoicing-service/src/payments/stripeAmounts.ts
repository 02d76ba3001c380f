import { currencyMinorUnits, minorUnitsOf } from '@afternoon/contracts/currencies';

/*
 * Afternoon counts money in ISO 4217 minor units; Stripe's `amount` counts in minor units as Stripe defines them
 * (https://docs.stripe.com/currencies), which differ for a few currencies:
 * - zero-decimal in Stripe's list: the amount is whole units. ISO agrees for all but MGA (ISO: 2 decimals).
 * - ISK and UGX: zero-decimal in ISO, but Stripe keeps them two-decimal for backwards compatibility and takes only
 *   amounts divisible by 100 (whole units).
 * - three-decimal (BHD, JOD, KWD, OMR, TND): as ISO, but a charge's last digit must be 0.
 * - HUF and TWD: two-decimal for charges, as ISO (Stripe treats them as zero-decimal for payouts only, which
 *   Afternoon does not make).
 */

const stripeZeroDecimal = new Set([
  'bif',
  'clp',
  'djf',
  'gnf',
  'jpy',
  'kmf',
  'krw',
  'mga',
  'pyg',
  'rwf',
  'vnd',
  'vuv',
  'xaf',
  'xof',
  'xpf',
]);
const wholeUnitsInTwoDecimals = new Set(['isk', 'ugx']);
const threeDecimal = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

/** How many decimals Stripe's `amount` has in this currency. */
export function stripeDecimalsOf(currency: string): number {
  const code = currency.toLowerCase();
  if (stripeZeroDecimal.has(code)) return 0;
  if (wholeUnitsInTwoDecimals.has(code)) return 2;
  return minorUnitsOf(code);
}

/** The smallest step of a charge's `amount` Stripe takes, in its own units (100 for ISK: whole krónur). */
function stripeChargeStep(code: string): number {
  if (wholeUnitsInTwoDecimals.has(code)) return 100;
  if (threeDecimal.has(code)) return 10;
  return 1;
}

/**
 * What to ask Stripe to charge for `minorUnits` due: exact where Stripe can charge it, otherwise rounded UP to the
 * next amount Stripe takes (a KWD amount due of 5.125 is charged 5.130). The few minor units more that are received
 * are an overpayment and become the customer's credit, so the invoice is paid in full and nothing is lost.
 */
export function toStripeChargeAmount(minorUnits: number, currency: string): number {
  const code = currency.toLowerCase();
  const exact = scale(minorUnits, minorUnitsOf(code), stripeDecimalsOf(code));
  const step = stripeChargeStep(code);
  return Math.ceil(exact / step) * step;
}

/**
 * The ISO minor units a Stripe `amount` is, or undefined when it is not a whole number of them (a fraction of a
 * króna Stripe no longer charges) or the currency is not an active ISO 4217 one: such an amount is refused rather than rounded, so no money is
 * silently created or lost.
 */
export function fromStripeAmount(stripeAmount: number, currency: string): number | undefined {
  const code = currency.toLowerCase();
  if (!currencyMinorUnits.has(code)) return undefined;
  const minor = scale(stripeAmount, stripeDecimalsOf(code), minorUnitsOf(code));
  return Number.isSafeInteger(minor) ? minor : undefined;
}

/** `amount` with `from` decimals as an amount with `to` decimals; fractional when precision is dropped. */
function scale(amount: number, from: number, to: number): number {
  return to >= from ? amount * 10 ** (to - from) : amount / 10 ** (from - to);
}
