import iso4217 from 'currency-codes';
import { z } from 'zod';

/**
 * ISO 4217 codes whose minor unit the standard gives as "N.A.": precious metals, bond market units, the SDR, the
 * testing code and "no currency". The list package reads them as 0 digits; nothing is invoiced in them.
 */
const withoutMinorUnit = new Set([
  'XAG',
  'XAU',
  'XBA',
  'XBB',
  'XBC',
  'XBD',
  'XDR',
  'XPD',
  'XPT',
  'XSU',
  'XTS',
  'XUA',
  'XXX',
]);

/**
 * Every active ISO 4217 currency, by lowercase code, with its minor units: how many decimal places its minor unit
 * is (`jpy` 0, `usd` 2, `kwd` 3, `clf` 4). From ISO's own list as the `currency-codes` package publishes it.
 */
export const currencyMinorUnits: ReadonlyMap<string, number> = new Map(
  iso4217.data
    .filter(({ code }) => !withoutMinorUnit.has(code))
    .map(({ code, digits }) => [code.toLowerCase(), digits]),
);

/** The date of the ISO 4217 list the table was read from. */
export const currencyListPublished: string = iso4217.publishDate;

/** An active ISO 4217 currency code in lowercase (`usd`, `jpy`, `kwd`). */
export const Currency = z
  .string()
  .refine(
    (code) => currencyMinorUnits.has(code),
    'must be an active ISO 4217 currency code in lowercase, such as usd, eur or jpy',
  );
export type Currency = z.infer<typeof Currency>;

/** How many decimal places the currency's minor unit is; throws for a code that is not an active ISO 4217 one. */
export function minorUnitsOf(currency: string): number {
  const digits = currencyMinorUnits.get(currency.toLowerCase());
  if (digits === undefined) throw new RangeError(`not an ISO 4217 currency: ${currency}`);
  return digits;
}
