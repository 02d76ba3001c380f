/**
 * `quantity × unitAmountCents`, rounded to a whole cent half away from zero (half-up for the non-negative
 * amounts the API accepts), in exact decimal arithmetic: `quantity` is a decimal string such as "2.5".
 */
export function lineAmountCents(quantity: string, unitAmountCents: number): number {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(quantity);
  if (!match) throw new RangeError(`not a decimal quantity: ${quantity}`);
  const [, sign = '', whole = '0', fraction = ''] = match;
  const scaled = BigInt(`${sign}${whole}${fraction}`) * BigInt(unitAmountCents);
  const divisor = 10n ** BigInt(fraction.length);
  const quotient = scaled / divisor;
  const remainder = scaled % divisor;
  const magnitude = remainder < 0n ? -remainder : remainder;
  const rounded = 2n * magnitude >= divisor ? quotient + (scaled < 0n ? -1n : 1n) : quotient;
  const cents = Number(rounded);
  if (!Number.isSafeInteger(cents)) throw new RangeError(`amount out of range: ${quantity} × ${unitAmountCents}`);
  return cents;
}
