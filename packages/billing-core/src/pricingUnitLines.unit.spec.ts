import type { EnrichedPlanPrice } from '@afternoon/contracts/plans';
import { describe, expect, it } from 'vitest';
import { parseDecimal, subtractDecimals } from './exactDecimal';
import { MoneyBoundError } from './moneyBounds';
import { periodLines } from './periodLines';
import { callsPrice, gpuPrice, gpuSec, ids, january, plan } from './periodLinesFixtures';
import { pricingUnitLine } from './pricingUnitCharge';

/** 3 tokens per call past 10 free calls, a token worth 0.004¢. */
const tokenPrice: EnrichedPlanPrice = {
  id: ids.tokens,
  model: 'per_unit',
  description: 'Completions',
  meter_code: 'completions',
  pricing_unit: { code: 'token', unit_amount: '0.004' },
  unit_amount: '3',
  free_units: 10,
};

/** 50 gpu_sec per started 100 units, a gpu_sec worth a third of a cent rounded to 0.333¢. */
const storagePrice: EnrichedPlanPrice = {
  id: ids.storage,
  model: 'package',
  description: 'Storage',
  meter_code: 'storage',
  pricing_unit: { code: 'gpu_sec', unit_amount: '0.333' },
  package_size: 100,
  package_amount: '50',
};

const inJanuary = { period_start: '2027-01-01T00:00:00.000Z', period_end: '2027-02-01T00:00:00.000Z' };

describe('usage lines of prices in a pricing unit', () => {
  it('charges the model in the unit, exactly, and converts the line once at the plan version rate', () => {
    const { lines, subtotal_cents } = periodLines({
      plan: plan([gpuPrice, callsPrice]),
      ended: january,
      starting: null,
      usageByMeter: { gpu_seconds: { total: '1001.3' }, api_calls: { total: '3' } },
    });
    expect(lines).toEqual([
      {
        kind: 'usage',
        price_id: ids.gpu,
        description: 'GPU time',
        quantity: '1001.3',
        // 1000 × 2 = 2000 gpu_sec, then 1.3 × 1.5 + 100 = 101.95 gpu_sec: 2101.95 gpu_sec;
        // × 0.25¢ = 525.4875¢ → 525¢. Rounding the units to whole gpu_sec first would give 2102 × 0.25 = 525.5 → 526¢.
        amount_cents: 525,
        pricing_unit: { code: 'gpu_sec', quantity: '2101.95', unit_amount: '0.25' },
        meter_code: 'gpu_seconds',
        ...inJanuary,
      },
      {
        kind: 'usage',
        price_id: ids.calls,
        description: 'API calls',
        quantity: '3',
        // 3 × 0.5¢ = 1.5¢ → 2¢, in the plan's currency: no pricing unit on the line
        amount_cents: 2,
        meter_code: 'api_calls',
        ...inJanuary,
      },
    ]);
    expect(subtotal_cents).toBe(527);
  });

  it('bills late usage as the difference of the two converted totals, with the units between them', () => {
    const { lines } = periodLines({
      plan: plan([gpuPrice]),
      ended: january,
      starting: null,
      usageByMeter: { gpu_seconds: { total: '1001.3' } },
      lateUsageByMeter: { gpu_seconds: { total: '0.7' } },
    });
    expect(
      lines.map(({ kind, quantity, amount_cents, pricing_unit }) => [kind, quantity, amount_cents, pricing_unit]),
    ).toEqual([
      ['usage', '1001.3', 525, { code: 'gpu_sec', quantity: '2101.95', unit_amount: '0.25' }],
      // together 1002 units: 2000 + 2 × 1.5 + 100 = 2103 gpu_sec × 0.25¢ = 525.75¢ → 526¢; minus the 525¢ billed: 1¢,
      // for 2103 − 2101.95 = 1.05 gpu_sec
      ['late_usage', '0.7', 1, { code: 'gpu_sec', quantity: '1.05', unit_amount: '0.25' }],
    ]);
  });

  it('converts each group on its own line, and a package price by whole packages', () => {
    const { lines, subtotal_cents } = periodLines({
      plan: plan([tokenPrice, storagePrice]),
      ended: january,
      starting: null,
      usageByMeter: {
        completions: {
          total: '1005',
          groups: [
            { key: { model: 'large' }, value: '1000' },
            { key: { model: 'small' }, value: '5' },
          ],
        },
        storage: { total: '250' },
      },
    });
    expect(
      lines.map(({ description, amount_cents, pricing_unit }) => [description, amount_cents, pricing_unit]),
    ).toEqual([
      // (1000 − 10 free) × 3 = 2970 tokens × 0.004¢ = 11.88¢ → 12¢
      ['Completions (model: large)', 12, { code: 'token', quantity: '2970', unit_amount: '0.004' }],
      // 5 calls, all free: 0 tokens, 0¢
      ['Completions (model: small)', 0, { code: 'token', quantity: '0', unit_amount: '0.004' }],
      // 250 units: 3 started packages × 50 = 150 gpu_sec × 0.333¢ = 49.95¢ → 50¢
      ['Storage', 50, { code: 'gpu_sec', quantity: '150', unit_amount: '0.333' }],
    ]);
    expect(subtotal_cents).toBe(62);
  });

  it('sums the units of groups past the line limit on the "other groups" line', () => {
    // 103 groups of 20 calls: (20 − 10 free) × 3 = 30 tokens × 0.004¢ = 0.12¢ → 0¢ each. All equal, so the 100 first
    // keys get lines of their own and the last 3 are summed.
    const groups = Array.from({ length: 103 }, (_, index) => ({ key: { model: `m${100 + index}` }, value: '20' }));
    const { lines } = periodLines({
      plan: plan([tokenPrice]),
      ended: january,
      starting: null,
      usageByMeter: { completions: { total: '2060', groups } },
    });
    expect(lines).toHaveLength(101);
    expect(lines[100]).toMatchObject({
      description: 'Completions (3 other groups)',
      quantity: '60',
      amount_cents: 0,
      // 3 groups × 30 tokens
      pricing_unit: { code: 'token', quantity: '90', unit_amount: '0.004' },
      summed_groups: 3,
    });
  });
});

describe('pricingUnitLine', () => {
  it('converts the units it is given to bill, so units covered elsewhere are simply not passed in', () => {
    // 2101.95 gpu_sec charged, 2000 of them covered: 101.95 × 0.25¢ = 25.4875¢ → 25¢
    const units = subtractDecimals(parseDecimal('2101.95'), parseDecimal('2000'));
    expect(pricingUnitLine(gpuSec, units, 'GPU time')).toEqual({
      amount_cents: 25,
      pricing_unit: { code: 'gpu_sec', quantity: '101.95', unit_amount: '0.25' },
    });
  });

  it('rounds half up once', () => {
    // 2 × 0.25¢ = 0.5¢ → 1¢; 1.98 × 0.25¢ = 0.495¢ → 0¢
    expect(pricingUnitLine(gpuSec, parseDecimal('2'), 'GPU time').amount_cents).toBe(1);
    expect(pricingUnitLine(gpuSec, parseDecimal('1.98'), 'GPU time').amount_cents).toBe(0);
  });

  it('refuses a line past 10^15 minor units', () => {
    // 1001 units × 10^12¢ = 1.001 × 10^15¢
    const dear = { code: 'gpu_sec', unit_amount: '1000000000000' };
    expect(() => pricingUnitLine(dear, parseDecimal('1001'), 'GPU time')).toThrow(MoneyBoundError);
    expect(pricingUnitLine(dear, parseDecimal('1000'), 'GPU time').amount_cents).toBe(1e15);
  });
});
