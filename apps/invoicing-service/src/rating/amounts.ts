import { addDecimals, formatDecimal, parseDecimal } from '@afternoon/billing-core/exactDecimal';
import type { CreditAmount, Denomination } from '@afternoon/contracts/credits';

/** An amount as the API shows it: whole minor units (a JSON integer) for a currency, a decimal string for a unit. */
export function apiAmount(denomination: Denomination, amount: string): CreditAmount {
  const exact = formatDecimal(parseDecimal(amount));
  return denomination.type === 'currency' ? Number(exact) : exact;
}

/** `a + b`, exact decimal strings in and out. */
export function sumDecimals(a: string, b: string): string {
  return formatDecimal(addDecimals(parseDecimal(a), parseDecimal(b)));
}

/** `-amount`, an exact decimal string. */
export function negateDecimal(amount: string): string {
  const exact = parseDecimal(amount);
  return formatDecimal({ units: -exact.units, scale: exact.scale });
}
