import { describe, expect, it } from 'vitest';
import { lineAmountCents } from './lineAmounts';
import { MoneyBoundError } from './moneyBounds';

describe('lineAmountCents', () => {
  it.each([
    ['1', 5000, 5000],
    ['3', 199, 597],
    ['1.5', 333, 500], // 499.5 → 500 (half up)
    ['0.5', 1, 1], // 0.5 → 1
    ['0.25', 1, 0], // 0.25 → 0
    ['2.5', 3, 8], // 7.5 → 8
    ['0.333333', 100, 33], // 33.3333 → 33
    ['0.666667', 100, 67], // 66.6667 → 67
    ['1.005', 100, 101], // 100.5 → 101, where floats give 100.49999…
    ['123456789.123456', 1, 123456789], // 123456789.123456 → 123456789
  ])('%s × %i¢ = %i¢', (quantity, unit, expected) => {
    expect(lineAmountCents(quantity, unit)).toBe(expected);
  });

  it('rounds negative amounts half away from zero', () => {
    expect(lineAmountCents('1.5', -333)).toBe(-500); // -499.5 → -500
    expect(lineAmountCents('0.25', -1)).toBe(0); // -0.25 → 0
    expect(lineAmountCents('-0.5', 1)).toBe(-1); // -0.5 → -1
  });

  it("refuses what is not a decimal, and amounts beyond a line's bound as a validation error naming the field", () => {
    expect(() => lineAmountCents('1e3', 1)).toThrow(RangeError);
    // 999,999,999 × 10^12 = 9.99999999 × 10^20 minor units: past 10^15 (and past 2^53)
    expect(() => lineAmountCents('999999999', 1e12)).toThrow(MoneyBoundError);
    expect(() => lineAmountCents('999999999', 1e12, 'line_items[0].unit_amount_cents')).toThrow(
      expect.objectContaining({ code: 'VALIDATION_ERROR', param: 'line_items[0].unit_amount_cents' }),
    );
  });

  it('takes a line up to exactly 10^15 minor units and not one more', () => {
    expect(lineAmountCents('1000', 1e12)).toBe(1e15); // 1000 × 10^12 = 10^15, the bound itself
    expect(() => lineAmountCents('1000.000001', 1e12)).toThrow(MoneyBoundError); // 10^15 + 10^6
    expect(lineAmountCents('0.4', 2.5e15)).toBe(1e15); // 0.4 × 2.5 × 10^15 = 10^15
  });
});
