import { describe, expect, it } from 'vitest';
import {
  addDecimals,
  compareDecimals,
  divideRoundingHalfUp,
  divideRoundingUp,
  formatDecimal,
  multiplyDecimals,
  parseDecimal,
  roundToWholeCents,
  subtractDecimals,
} from './exactDecimal';

const exact = (a: string) => parseDecimal(a);

describe('exact decimals', () => {
  it('reads and writes plain decimal strings canonically', () => {
    expect(parseDecimal('0.0025')).toEqual({ units: 25n, scale: 4 });
    expect(formatDecimal(exact('1234.50'))).toBe('1234.5');
    expect(formatDecimal(exact('007'))).toBe('7');
    expect(formatDecimal(exact('-0.050'))).toBe('-0.05');
    expect(formatDecimal(exact('0.000'))).toBe('0');
  });

  it('refuses what is not a plain decimal', () => {
    for (const text of ['1e3', '', ' 1', '.5', '5.', '1,5', '+1', 'NaN'])
      expect(() => parseDecimal(text)).toThrow(RangeError);
  });

  it('adds, subtracts, multiplies and compares across scales without loss', () => {
    expect(formatDecimal(addDecimals(exact('0.1'), exact('0.2')))).toBe('0.3'); // floats give 0.30000000000000004
    expect(formatDecimal(subtractDecimals(exact('1500.5'), exact('1000')))).toBe('500.5');
    expect(formatDecimal(multiplyDecimals(exact('1234567'), exact('0.0025')))).toBe('3086.4175');
    expect(compareDecimals(exact('100.0'), exact('100'))).toBe(0);
    expect(compareDecimals(exact('99.999'), exact('100'))).toBe(-1);
    expect(compareDecimals(exact('100.001'), exact('100'))).toBe(1);
  });

  it('divides rounding halves away from zero, or rounding up', () => {
    expect(divideRoundingHalfUp(5n, 2n)).toBe(3n); // 2.5 → 3
    expect(divideRoundingHalfUp(7n, 3n)).toBe(2n); // 2.33 → 2
    expect(divideRoundingHalfUp(8n, 3n)).toBe(3n); // 2.67 → 3
    expect(divideRoundingHalfUp(-5n, 2n)).toBe(-3n); // -2.5 → -3
    expect(divideRoundingUp(21n, 10n)).toBe(3n); // 2.1 → 3
    expect(divideRoundingUp(20n, 10n)).toBe(2n); // 2 → 2
    expect(divideRoundingUp(-21n, 10n)).toBe(-2n); // -2.1 → -2
    expect(() => divideRoundingHalfUp(1n, 0n)).toThrow(RangeError);
  });

  it('rounds exact cents to a whole cent once, half-up', () => {
    expect(roundToWholeCents(exact('3086.4175'))).toBe(3086n);
    expect(roundToWholeCents(exact('3086.5'))).toBe(3087n);
    expect(roundToWholeCents(exact('3086.4999999999'))).toBe(3086n);
  });

  it('stays exact past 2^53: bounds are checked on the exact amount, not on a rounded number', () => {
    // 2^53 + 1 = 9007199254740993, which a JS number cannot hold (it reads as 9007199254740992).
    expect(roundToWholeCents(exact('9007199254740992.5'))).toBe(9007199254740993n);
  });
});
