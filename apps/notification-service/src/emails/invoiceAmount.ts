import { minorUnitsOf } from '@afternoon/contracts/currencies';

/**
 * An integer amount of the currency's minor units with exactly its ISO 4217 decimals ($12.34, ¥1,500), handed to Intl
 * as an exact decimal string, never divided as a float. The hosted invoice page formats the same way.
 */
export function formatInvoiceAmount(minor: number, currency: string): string {
  const digits = minorUnitsOf(currency);
  const text = Math.abs(minor)
    .toString()
    .padStart(digits + 1, '0');
  const whole = text.slice(0, text.length - digits);
  const decimal = `${minor < 0 ? '-' : ''}${digits === 0 ? whole : `${whole}.${text.slice(text.length - digits)}`}`;
  const format = new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency: currency.toUpperCase(),
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return format.format(decimal as `${number}`);
}
