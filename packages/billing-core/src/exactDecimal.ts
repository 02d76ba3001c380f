/**
 * Exact decimal arithmetic for money and usage: a value is `units / 10^scale` with BigInt units, so "0.0025" is
 * `{units: 25n, scale: 4}`. Nothing here passes through a JS number until a whole-cent amount comes out.
 */
export interface ExactDecimal {
  readonly units: bigint;
  readonly scale: number;
}

const decimalFormat = /^(-?)(\d+)(?:\.(\d+))?$/;

/** Reads a plain decimal string ("1234.5", "-0.25"); anything else (exponents, spaces, "") is a RangeError. */
export function parseDecimal(text: string): ExactDecimal {
  const match = decimalFormat.exec(text);
  if (!match) throw new RangeError(`not a decimal: ${text}`);
  const [, sign = '', whole = '0', fraction = ''] = match;
  return { units: BigInt(`${sign}${whole}${fraction}`), scale: fraction.length };
}

export function decimalFromInteger(value: number | bigint): ExactDecimal {
  return { units: BigInt(value), scale: 0 };
}

export const zero: ExactDecimal = decimalFromInteger(0);

/** The canonical text: no leading zeros, no trailing fractional zeros ("1234.50" → "1234.5", "0.0" → "0"). */
export function formatDecimal(value: ExactDecimal): string {
  const negative = value.units < 0n;
  const digits = (negative ? -value.units : value.units).toString().padStart(value.scale + 1, '0');
  const whole = digits.slice(0, digits.length - value.scale);
  const fraction = digits.slice(digits.length - value.scale).replace(/0+$/, '');
  const text = fraction ? `${whole}.${fraction}` : whole;
  return negative ? `-${text}` : text;
}

function atScale(value: ExactDecimal, scale: number): bigint {
  return value.units * 10n ** BigInt(scale - value.scale);
}

export function addDecimals(a: ExactDecimal, b: ExactDecimal): ExactDecimal {
  const scale = Math.max(a.scale, b.scale);
  return { units: atScale(a, scale) + atScale(b, scale), scale };
}

export function subtractDecimals(a: ExactDecimal, b: ExactDecimal): ExactDecimal {
  return addDecimals(a, { units: -b.units, scale: b.scale });
}

export function multiplyDecimals(a: ExactDecimal, b: ExactDecimal): ExactDecimal {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

/** -1, 0 or 1 as `a` is less than, equal to or greater than `b`. */
export function compareDecimals(a: ExactDecimal, b: ExactDecimal): -1 | 0 | 1 {
  const scale = Math.max(a.scale, b.scale);
  const difference = atScale(a, scale) - atScale(b, scale);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}

export function maxDecimal(a: ExactDecimal, b: ExactDecimal): ExactDecimal {
  return compareDecimals(a, b) >= 0 ? a : b;
}

export function minDecimal(a: ExactDecimal, b: ExactDecimal): ExactDecimal {
  return compareDecimals(a, b) <= 0 ? a : b;
}

/** `numerator / denominator` rounded up to an integer (ceiling), e.g. 21 / 10 → 3, -21 / 10 → -2. */
export function divideRoundingUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError('division by zero');
  const quotient = numerator / denominator;
  const hasRemainder = numerator % denominator !== 0n;
  return hasRemainder && numerator < 0n === denominator < 0n ? quotient + 1n : quotient;
}

/** `numerator / denominator` to the nearest integer, halves away from zero (half-up for non-negative amounts). */
export function divideRoundingHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError('division by zero');
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const magnitude = n / d + (2n * (n % d) >= d ? 1n : 0n);
  return negative ? -magnitude : magnitude;
}

/** A whole number of cents as a JS number, refusing what a number cannot hold exactly. */
export function safeCents(cents: bigint): number {
  const value = Number(cents);
  if (!Number.isSafeInteger(value)) throw new RangeError(`amount out of range: ${cents} cents`);
  return value;
}

/**
 * An exact amount of minor units rounded once to a whole minor unit, halves away from zero (half-up for charges),
 * still exact: whether it is within bounds is for the caller to say (see moneyBounds.ts).
 */
export function roundToWholeCents(cents: ExactDecimal): bigint {
  return divideRoundingHalfUp(cents.units, 10n ** BigInt(cents.scale));
}
