import { currencyMinorUnits } from '@afternoon/contracts/currencies';

/**
 * Formats an integer amount of the currency's minor units with exactly its ISO 4217 decimals (¥1,234, $12.34,
 * KWD 1.234), the same table that validates and bounds amounts. The amount goes to Intl as an exact decimal string,
 * never divided as a float. A code from before currencies were checked is shown with 2 decimals.
 */
export function formatMoney(cents: number, currency: string): string {
  const digits = currencyMinorUnits.get(currency.toLowerCase()) ?? 2;
  const format = new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency: currency.toUpperCase(),
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return format.format(decimalOfMinorUnits(cents, digits));
}

/** `123456` with 3 decimals is "123.456"; `-5` with 2 is "-0.05". */
function decimalOfMinorUnits(minor: number, digits: number): `${number}` {
  const sign = minor < 0 ? '-' : '';
  const text = Math.abs(minor)
    .toString()
    .padStart(digits + 1, '0');
  const whole = text.slice(0, text.length - digits);
  return (digits === 0 ? `${sign}${whole}` : `${sign}${whole}.${text.slice(text.length - digits)}`) as `${number}`;
}
