import type {
  FlatPrice,
  GraduatedPrice,
  PackagePrice,
  PerUnitPrice,
  Price,
  VolumePrice,
} from '@afternoon/contracts/plans';
import { describe, expect, it } from 'vitest';
import { chargeForPrice } from './chargeForPrice';
import { addDecimals, formatDecimal, parseDecimal, roundToWholeCents, zero } from './exactDecimal';
import { type DenominationType, marginalCost, ratedCharge } from './usageRating';

/** Each event's marginal cost in turn, against the running total of the events before it. */
function costsOf(price: Price, events: readonly string[], denomination: DenominationType): string[] {
  let total = '0';
  return events.map((added) => {
    const cost = marginalCost(price, total, added, denomination);
    total = formatDecimal(addDecimals(parseDecimal(total), parseDecimal(added)));
    return cost;
  });
}
const sumOf = (amounts: readonly string[]) => formatDecimal(amounts.map(parseDecimal).reduce(addDecimals, zero));
const rated = (price: Price, quantity: string) => formatDecimal(ratedCharge(price, parseDecimal(quantity)));
/** What the invoice line charges for `total` when the price's minimum is left out (it is a period-end top-up). */
const lineWithoutMinimum = (price: Price, total: string) =>
  chargeForPrice({ ...price, minimum_amount_cents: undefined }, total).amountCents;

const graduated: GraduatedPrice = {
  model: 'graduated',
  description: 'Tokens',
  meter_code: 'tokens',
  tiers: [
    { up_to: 100, unit_amount: '10' },
    { up_to: 1000, unit_amount: '5', flat_amount: '200' },
    { up_to: null, unit_amount: '1', flat_amount: '1000' },
  ],
  minimum_amount_cents: 10000,
};
const volume: VolumePrice = {
  model: 'volume',
  description: 'Seats',
  meter_code: 'seats',
  tiers: [
    { up_to: 100, unit_amount: '10' },
    { up_to: 1000, unit_amount: '8', flat_amount: '500' },
    { up_to: null, unit_amount: '6', flat_amount: '2000' },
  ],
};
const packages: PackagePrice = {
  model: 'package',
  description: 'Emails, per 1,000',
  meter_code: 'emails',
  package_size: 1000,
  package_amount: '250',
};
const perUnit: PerUnitPrice = {
  model: 'per_unit',
  description: 'API calls',
  meter_code: 'api_calls',
  unit_amount: '0.35',
  free_units: 100,
  minimum_amount_cents: 500,
};
const flat: FlatPrice = { model: 'flat', description: 'Platform fee', amount_cents: 4900, timing: 'in_arrears' };

describe('ratedCharge', () => {
  it('is the model charge, exact, without the minimum', () => {
    expect(rated(graduated, '100.5')).toBe('1202.5'); // 100 × 10¢ + 0.5 × 5¢ + 200¢; the 10000¢ minimum left out
    expect(rated(perUnit, '0')).toBe('0'); // no usage: 0¢, not the 500¢ minimum
    expect(rated(perUnit, '1101.43')).toBe('350.5005'); // (1101.43 − 100) × 0.35¢
  });

  it('rates usage below zero as zero', () => {
    expect(rated(perUnit, '-5')).toBe('0'); // max(0, −5) = 0 units
    expect(rated(volume, '-0.5')).toBe('0');
  });

  it('rates a flat price 0: no usage moves it', () => {
    expect(rated(flat, '12345')).toBe('0');
    expect(marginalCost(flat, '0', '10', 'currency')).toBe('0');
  });
});

describe('marginal costs of a graduated price', () => {
  // Tiers: up to 100 at 10¢; up to 1,000 at 5¢ + 200¢ flat; above at 1¢ + 1000¢ flat. Minimum 10000¢.
  const events = ['40', '60', '0.5', '0.5', '899', '0.3', '0.3', '499.4'];

  it('cross tier boundaries, adding a flat amount when a tier is entered, and telescope to the line', () => {
    const costs = costsOf(graduated, events, 'currency');
    expect(costs).toEqual([
      '400', //   0 → 40:       40 × 10¢ = 400¢ − 0¢
      '600', //   40 → 100:     100 × 10¢ = 1000¢ − 400¢ (the second tier is not entered: up_to inclusive)
      '203', //   100 → 100.5:  1000 + 0.5 × 5 + 200 flat = 1202.5¢ → 1203¢; 1203 − 1000
      '2', //     100.5 → 101:  1000 + 1 × 5 + 200 = 1205¢; 1205 − 1203
      '4495', //  101 → 1000:   1000 + 900 × 5 + 200 = 5700¢; 5700 − 1205
      '1000', //  1000 → 1000.3: 5700 + 0.3 × 1 + 1000 flat = 6700.3¢ → 6700¢; 6700 − 5700
      '1', //     1000.3 → 1000.6: 6700.6¢ → 6701¢; 6701 − 6700 (the carried fractions come due)
      '499', //   1000.6 → 1500: 5700 + 500 × 1 + 1000 = 7200¢; 7200 − 6701
    ]);
    // 400 + 600 + 203 + 2 + 4495 + 1000 + 1 + 499 = 7200¢, the line's charge for 1,500 tokens
    expect(sumOf(costs)).toBe('7200');
    expect(lineWithoutMinimum(graduated, '1500')).toBe(7200);
  });

  it('leave the minimum to a period-end top-up', () => {
    // The line is max(10000¢, 7200¢) = 10000¢: the costs rated 7200¢, the top-up is 10000 − 7200 = 2800¢
    const costs = costsOf(graduated, events, 'currency');
    expect(chargeForPrice(graduated, '1500').amountCents - Number(sumOf(costs))).toBe(2800);
  });
});

describe('marginal costs of a volume price', () => {
  // Tiers: up to 100 at 10¢; up to 1,000 at 8¢ + 500¢ flat; above at 6¢ + 2000¢ flat.
  it('fall when the total reaches a cheaper tier, and telescope to the line', () => {
    const costs = costsOf(volume, ['50', '49.5', '0.5', '1', '899', '1', '0.25', '0.25'], 'currency');
    expect(costs).toEqual([
      '500', //   0 → 50:        50 × 10¢ = 500¢
      '495', //   50 → 99.5:     99.5 × 10¢ = 995¢; 995 − 500
      '5', //     99.5 → 100:    100 × 10¢ = 1000¢ (still the first tier); 1000 − 995
      '308', //   100 → 101:     101 × 8 + 500 = 1308¢; 1308 − 1000
      '7192', //  101 → 1000:    1000 × 8 + 500 = 8500¢; 8500 − 1308
      '-494', //  1000 → 1001:   1001 × 6 + 2000 = 8006¢; 8006 − 8500: every unit got cheaper
      '2', //     1001 → 1001.25: 1001.25 × 6 + 2000 = 8007.5¢ → 8008¢; 8008 − 8006
      '1', //     1001.25 → 1001.5: 1001.5 × 6 + 2000 = 8009¢; 8009 − 8008
    ]);
    // 500 + 495 + 5 + 308 + 7192 − 494 + 2 + 1 = 8009¢
    expect(sumOf(costs)).toBe('8009');
    expect(lineWithoutMinimum(volume, '1001.5')).toBe(8009);
  });

  it('follow a sum meter that goes down, below zero', () => {
    expect(marginalCost(volume, '1001', '-1', 'currency')).toBe('494'); // 8500¢ − 8006¢: back to the dearer tier
    expect(marginalCost(volume, '10', '-15', 'currency')).toBe('-100'); // total −5 rates as 0: 0¢ − 10 × 10¢
    expect(marginalCost(volume, '-5', '3', 'currency')).toBe('0'); // −5 → −2: both rate as 0
    expect(marginalCost(volume, '-5', '7', 'currency')).toBe('20'); // −5 → 2: 2 × 10¢ − 0¢
  });
});

describe('marginal costs of a package price', () => {
  // 250¢ per started package of 1,000.
  it('charge a package when it is started, and telescope to the line', () => {
    const costs = costsOf(packages, ['1', '999', '0.5', '999.5', '0.01', '500'], 'currency');
    expect(costs).toEqual([
      '250', // 0 → 1:             ⌈1 / 1000⌉ = 1 package; 250¢ − 0¢
      '0', //   1 → 1000:          still 1 package
      '250', // 1000 → 1000.5:     ⌈1000.5 / 1000⌉ = 2 packages = 500¢; 500 − 250
      '0', //   1000.5 → 2000:     still 2
      '250', // 2000 → 2000.01:    ⌈2000.01 / 1000⌉ = 3 packages = 750¢; 750 − 500
      '0', //   2000.01 → 2500.01: still 3
    ]);
    // 250 + 0 + 250 + 0 + 250 + 0 = 750¢ = 3 × 250¢
    expect(sumOf(costs)).toBe('750');
    expect(lineWithoutMinimum(packages, '2500.01')).toBe(750);
  });
});

describe('marginal costs of a per-unit price', () => {
  // 0.35¢ a unit above 100 free units; minimum 500¢.
  const events = ['60', '40', '1', '1', '0.5', '2.5', '995', '0.1', '1.3', '0.03'];

  it('start after the free units, round the running charge, and telescope to the line', () => {
    const costs = costsOf(perUnit, events, 'currency');
    expect(costs).toEqual([
      '0', //   0 → 60:          within the 100 free units
      '0', //   60 → 100:        still free
      '0', //   100 → 101:       1 × 0.35¢ = 0.35¢ → 0¢
      '1', //   101 → 102:       2 × 0.35 = 0.7¢ → 1¢; 1 − 0
      '0', //   102 → 102.5:     2.5 × 0.35 = 0.875¢ → 1¢; 1 − 1
      '1', //   102.5 → 105:     5 × 0.35 = 1.75¢ → 2¢; 2 − 1
      '348', // 105 → 1100:      1000 × 0.35 = 350¢; 350 − 2
      '0', //   1100 → 1100.1:   1000.1 × 0.35 = 350.035¢ → 350¢
      '0', //   1100.1 → 1101.4: 1001.4 × 0.35 = 350.49¢ → 350¢
      '1', //   1101.4 → 1101.43: 1001.43 × 0.35 = 350.5005¢ → 351¢; 351 − 350
    ]);
    // 0 + 0 + 0 + 1 + 0 + 1 + 348 + 0 + 0 + 1 = 351¢. Rounding each event's own exact cost instead (0.35, 0.35,
    // 0.175, 0.875, 348.25, 0.035, 0.455, 0.0105 → 0, 0, 0, 1, 348, 0, 0, 0) would bill 349¢ against a 351¢ line.
    expect(sumOf(costs)).toBe('351');
    expect(lineWithoutMinimum(perUnit, '1101.43')).toBe(351);
    // The line is max(500¢, 350.5005¢) → 500¢: 351¢ rated, 500 − 351 = 149¢ topped up at the period's end
    expect(chargeForPrice(perUnit, '1101.43').amountCents - 351).toBe(149);
  });
});

describe('marginal costs in a pricing unit', () => {
  it('are exact differences, never rounded, and add up to the exact charge', () => {
    const events = ['60', '40', '1', '1', '0.5', '2.5', '995', '0.1', '1.3', '0.03'];
    const costs = costsOf(perUnit, events, 'pricing_unit');
    expect(costs).toEqual([
      '0', //      within the 100 free units
      '0',
      '0.35', //   1 × 0.35
      '0.35', //   1 × 0.35
      '0.175', //  0.5 × 0.35
      '0.875', //  2.5 × 0.35
      '348.25', // 995 × 0.35
      '0.035', //  0.1 × 0.35
      '0.455', //  1.3 × 0.35
      '0.0105', // 0.03 × 0.35
    ]);
    // 0.35 + 0.35 + 0.175 + 0.875 + 348.25 + 0.035 + 0.455 + 0.0105 = 350.5005 = (1101.43 − 100) × 0.35
    expect(sumOf(costs)).toBe('350.5005');
    // Rounded event by event instead: 0 + 0 + 0 + 0 + 0 + 1 + 348 + 0 + 0 + 0 = 349¢, 2¢ short of the 351¢ line
    expect(costs.reduce((total, cost) => total + roundToWholeCents(parseDecimal(cost)), 0n)).toBe(349n);
    expect(chargeForPrice({ ...perUnit, minimum_amount_cents: undefined }, '1101.43').exactCents).toBe('350.5005');
  });

  it('of the graduated sequence add up to the exact charge', () => {
    const costs = costsOf(graduated, ['40', '60', '0.5', '0.5', '899', '0.3', '0.3', '499.4'], 'pricing_unit');
    // 1202.5 − 1000 = 202.5; 1205 − 1202.5 = 2.5; 6700.3 − 5700 = 1000.3; 6700.6 − 6700.3 = 0.3; 7200 − 6700.6 = 499.4
    expect(costs).toEqual(['400', '600', '202.5', '2.5', '4495', '1000.3', '0.3', '499.4']);
    expect(sumOf(costs)).toBe('7200');
  });

  it('keep fractions a currency would round', () => {
    expect(marginalCost(graduated, '100', '0.5', 'pricing_unit')).toBe('202.5'); // 1202.5 − 1000 (a currency: 203)
    expect(marginalCost(volume, '1001', '0.25', 'pricing_unit')).toBe('1.5'); // 8007.5 − 8006 (a currency: 2)
    expect(marginalCost(volume, '1000', '1', 'pricing_unit')).toBe('-494'); // 8006 − 8500
    const smallPackages = { ...packages, package_size: 3, package_amount: '0.125' };
    expect(costsOf(smallPackages, ['1', '2', '1', '6'], 'pricing_unit')).toEqual([
      '0.125', // 0 → 1: 1 package × 0.125
      '0', //     1 → 3: still 1 package
      '0.125', // 3 → 4: ⌈4 / 3⌉ = 2 packages = 0.25; 0.25 − 0.125
      '0.25', //  4 → 10: ⌈10 / 3⌉ = 4 packages = 0.5; 0.5 − 0.25
    ]);
  });
});
