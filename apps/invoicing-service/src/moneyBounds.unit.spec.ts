import { lineAmountCents } from '@afternoon/billing-core/lineAmounts';
import { ValidationError } from '@afternoon/service-kit';
import { describe, expect, it } from 'vitest';
import { withinMoneyBounds } from './moneyBounds';

describe('withinMoneyBounds', () => {
  it("answers billing-core's refusal of an amount past the bounds as a ValidationError naming the same field", () => {
    // 999,999,999 × 10^12 minor units: past a line's 10^15
    const past = () => lineAmountCents('999999999', 1e12, 'line_items[0].unit_amount_cents');
    expect(() => withinMoneyBounds(past)).toThrow(ValidationError);
    expect(() => withinMoneyBounds(past)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_ERROR', param: 'line_items[0].unit_amount_cents' }),
    );
  });

  it('passes a result within the bounds through, and any other error unchanged', () => {
    expect(withinMoneyBounds(() => lineAmountCents('2', 750))).toBe(1_500); // 2 × 750
    expect(() => withinMoneyBounds(() => lineAmountCents('1e3', 1))).toThrow(RangeError);
    expect(() => withinMoneyBounds(() => lineAmountCents('1e3', 1))).not.toThrow(ValidationError);
  });
});
