import { describe, expect, it } from 'vitest';
import { formatMoney } from './moneyFormat';

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

  it("shows a currency's minor units with exactly its decimals", () => {
    // 123450 cents = $1,234.50; yen have no minor unit: 1500 is ¥1,500; dinars have three decimals.
    expect(formatMoney(123_450, 'usd')).toBe('$1,234.50');
    expect(formatMoney(5, 'usd')).toBe('$0.05');
    expect(formatMoney(1500, 'jpy')).toBe('¥1,500');
    // Intl puts a no-break space after a currency shown by its code.
    expect(formatMoney(1234, 'kwd')).toBe('KWD\u00a01.234');
  });

  it('keeps amounts past what a float holds exactly', () => {
    expect(formatMoney(9_007_199_254_740_991, 'usd')).toBe('$90,071,992,547,409.91');
  });
});
