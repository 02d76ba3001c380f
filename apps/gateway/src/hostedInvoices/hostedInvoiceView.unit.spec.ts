import { describe, expect, it } from 'vitest';
import { formatMoney } from './hostedInvoiceView';

describe('formatMoney', () => {
  it.each([
    [123456, 'usd', '$1,234.56'],
    [-5, 'usd', '-$0.05'],
    [123456, 'jpy', '¥123,456'], // 0 decimals: the amount is yen
    [123456, 'kwd', 'KWD 123.456'], // 3 decimals: the amount is fils
    [1234567, 'iqd', 'IQD 1,234.567'], // ISO 4217 says 3 decimals where Intl alone would show 0
    [123456, 'huf', 'HUF 1,234.56'], // ISO 4217 says 2 where Intl alone would show 0
    [999_999_999_999_999, 'usd', '$9,999,999,999,999.99'], // exact at the bounds: no float division
  ])('%i minor units of %s read %s', (amount, currency, shown) => {
    expect(formatMoney(amount, currency).replace(/\u00a0/g, ' ')).toBe(shown);
  });
});
