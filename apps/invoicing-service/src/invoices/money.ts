import { decimalFromInteger, multiplyDecimals, parseDecimal, roundToWholeCents } from '../pricing/exactDecimal';

/**
 * `quantity × unitAmountCents`, rounded to a whole cent half away from zero (half-up for the non-negative
 * amounts the API accepts), in exact decimal arithmetic: `quantity` is a decimal string such as "2.5".
 */
export function lineAmountCents(quantity: string, unitAmountCents: number): number {
  return roundToWholeCents(multiplyDecimals(parseDecimal(quantity), decimalFromInteger(unitAmountCents)));
}
