import type { PlanPrice } from '@afternoon/contracts/plans';
import { describe, expect, it } from 'vitest';
import { chargeForPrice } from './chargeForPrice';
import { boundedInvoiceTotal, boundedLineAmount, MoneyBoundError, sumMinorUnits } from './moneyBounds';
import { periodLines } from './periodLines';

const perUnit = (unit_amount: string) =>
  ({ model: 'per_unit', description: 'API calls', meter_code: 'api_calls', unit_amount }) as const;

describe('bounds on minor units', () => {
  it('take a line up to ±10^15 and refuse one more, as a validation error', () => {
    expect(boundedLineAmount(1_000_000_000_000_000n, 'line')).toBe(1e15);
    expect(boundedLineAmount(-1_000_000_000_000_000n, 'credit')).toBe(-1e15);
    expect(() => boundedLineAmount(1_000_000_000_000_001n, 'line', 'quantity')).toThrow(
      expect.objectContaining({ code: 'VALIDATION_ERROR', param: 'quantity' }),
    );
  });

  it('sum exactly where numbers would not', () => {
    // (2^53 − 1) + 2 = 9007199254740993; as numbers it comes out 9007199254740992
    expect(sumMinorUnits([Number.MAX_SAFE_INTEGER, 2])).toBe(9_007_199_254_740_993n);
    expect(boundedInvoiceTotal([6e14, 4e14])).toBe(1e15); // 6 × 10^14 + 4 × 10^14 = 10^15
    expect(() => boundedInvoiceTotal([6e14, 4e14, 1])).toThrow(MoneyBoundError); // 10^15 + 1
    expect(boundedInvoiceTotal([1e15, -1e15, 1e15])).toBe(1e15); // credits count: 10^15 − 10^15 + 10^15
  });
});

describe('charges in minor units, whatever the currency', () => {
  it('round a fraction of a yen, fils or cent once, half-up', () => {
    // jpy (0 decimals): 1,001 calls × ¥0.5 = ¥500.5 → ¥501
    expect(chargeForPrice(perUnit('0.5'), '1001').amountCents).toBe(501);
    // kwd (3 decimals): 1,234,567 calls × 0.0025 fils = 3086.4175 fils → 3086 fils (KWD 3.086)
    expect(chargeForPrice(perUnit('0.0025'), '1234567').amountCents).toBe(3086);
  });

  it('refuse a charge past a line bound instead of rounding it into a number', () => {
    // 1000 × 10^12 = 10^15: the bound itself
    expect(chargeForPrice(perUnit('1000000000000'), '1000').amountCents).toBe(1e15);
    // 10^12 × 10^15 units = 10^27 minor units
    expect(() => chargeForPrice(perUnit('1000000000000'), '1000000000000000')).toThrow(MoneyBoundError);
  });
});

describe('a period whose lines cross a bound', () => {
  const flat = (id: string, amount_cents: number): PlanPrice => ({
    id,
    model: 'flat',
    description: `Fee ${id}`,
    amount_cents,
    timing: 'in_arrears',
  });
  const period = { start: new Date('2027-01-01T00:00:00Z'), end: new Date('2027-02-01T00:00:00Z') };
  const ended = { ...period, whole: period };
  const lines = (prices: PlanPrice[], usage = '0') =>
    periodLines({
      plan: { prices, minimum_amount_cents: null },
      ended,
      starting: null,
      usageByMeter: { api_calls: { total: usage } },
    });

  it('is refused when its usage charges past a line bound', () => {
    const calls = { ...perUnit('1000000'), id: 'cm5x9z8nv0000h85r7l9p2k1c' };
    // 10^10 calls × 10^6 = 10^16 minor units
    expect(() => lines([calls], '10000000000')).toThrow(MoneyBoundError);
  });

  it('is refused when its total crosses the bound, and billed at the bound exactly', () => {
    const fees = Array.from({ length: 1000 }, (_, index) => flat(`f${index}`, 1e12));
    expect(lines(fees).subtotal_cents).toBe(1e15); // 1000 × 10^12 = 10^15
    expect(() => lines([...fees, flat('one_more', 1)])).toThrow(MoneyBoundError); // 10^15 + 1
  });
});
