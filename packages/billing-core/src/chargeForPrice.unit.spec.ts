import type { GraduatedPrice, PackagePrice, PerUnitPrice, PriceTier, VolumePrice } from '@afternoon/contracts/plans';
import { describe, expect, it } from 'vitest';
import { chargeForPrice } from './chargeForPrice';

const perUnit = (fields: Partial<PerUnitPrice> = {}): PerUnitPrice => ({
  model: 'per_unit',
  description: 'API calls',
  meter_code: 'api_calls',
  unit_amount: '0.5',
  ...fields,
});
const cents = (price: Parameters<typeof chargeForPrice>[0], usage: string) => chargeForPrice(price, usage).amountCents;

describe('flat prices', () => {
  it('charge the fee whatever the usage', () => {
    const price = { model: 'flat', description: 'Platform fee', amount_cents: 4900, timing: 'in_advance' } as const;
    expect(chargeForPrice(price, '0')).toEqual({ exactCents: '4900', amountCents: 4900 });
    expect(cents(price, '12345')).toBe(4900);
  });
});

describe('per-unit prices', () => {
  const price = perUnit({ free_units: 1000 });

  it('charge nothing up to the free units', () => {
    expect(cents(price, '0')).toBe(0); // max(0, 0 − 1000) = 0 units
    expect(cents(price, '400')).toBe(0); // max(0, 400 − 1000) = 0 units
    expect(cents(price, '1000')).toBe(0); // max(0, 1000 − 1000) = 0 units
  });

  it('charge the units above the free units', () => {
    expect(chargeForPrice(price, '1001')).toEqual({ exactCents: '0.5', amountCents: 1 }); // 1 × 0.5¢ = 0.5¢ → 1¢
    expect(cents(price, '5000')).toBe(2000); // (5000 − 1000) × 0.5¢ = 2000¢
    expect(chargeForPrice(price, '1500.5')).toEqual({ exactCents: '250.25', amountCents: 250 }); // 500.5 × 0.5¢ = 250.25¢ → 250¢
  });

  it('round fractional-cent unit amounts once, for the whole line', () => {
    const price = perUnit({ unit_amount: '0.0025' });
    // 1,234,567 × 0.0025¢ = 3086.4175¢ → 3086¢; rounding each unit's 0.0025¢ would give 0¢
    expect(chargeForPrice(price, '1234567')).toEqual({ exactCents: '3086.4175', amountCents: 3086 });
    expect(cents(price, '1234600')).toBe(3087); // 1,234,600 × 0.0025¢ = 3086.5¢ → 3087¢ (half up)
    expect(cents(price, '1')).toBe(0); // 1 × 0.0025¢ = 0.0025¢ → 0¢
  });

  it('bill usage below zero as zero', () => {
    expect(cents(perUnit(), '-5')).toBe(0); // max(0, −5) = 0 units
  });
});

const steps: PriceTier[] = [
  { up_to: 100, unit_amount: '10' },
  { up_to: 1000, unit_amount: '5', flat_amount: '200' },
  { up_to: null, unit_amount: '1', flat_amount: '1000' },
];
const graduated: GraduatedPrice = { model: 'graduated', description: 'Tokens', meter_code: 'tokens', tiers: steps };

describe('graduated prices', () => {
  it('enter no tier without usage', () => {
    expect(cents(graduated, '0')).toBe(0); // no unit, no tier entered, no flat amount
  });

  it('price each unit by the tier it falls in, up_to inclusive', () => {
    expect(cents(graduated, '50')).toBe(500); // 50 × 10¢
    expect(cents(graduated, '100')).toBe(1000); // 100 × 10¢; the second tier is not entered
    expect(cents(graduated, '101')).toBe(1205); // 100 × 10¢ + 1 × 5¢ + 200¢ flat = 1000 + 5 + 200
    expect(cents(graduated, '1000')).toBe(5700); // 100 × 10¢ + 900 × 5¢ + 200¢ = 1000 + 4500 + 200
    expect(cents(graduated, '1001')).toBe(6701); // 5700¢ + 1 × 1¢ + 1000¢ flat = 5700 + 1 + 1000
    expect(cents(graduated, '1500')).toBe(7200); // 5700¢ + 500 × 1¢ + 1000¢ = 5700 + 500 + 1000
  });

  it('split fractional usage at the bounds and round once', () => {
    // 100 × 10¢ + 0.5 × 5¢ + 200¢ = 1000 + 2.5 + 200 = 1202.5¢ → 1203¢
    expect(chargeForPrice(graduated, '100.5')).toEqual({ exactCents: '1202.5', amountCents: 1203 });
  });
});

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

describe('volume prices', () => {
  it('reach no tier without usage', () => {
    expect(cents(volume, '0')).toBe(0);
  });

  it('price every unit by the tier the total reaches, and add its flat amount once', () => {
    expect(cents(volume, '99.5')).toBe(995); // 99.5 × 10¢
    expect(cents(volume, '100')).toBe(1000); // 100 × 10¢: still the first tier (up_to inclusive)
    expect(cents(volume, '101')).toBe(1308); // 101 × 8¢ + 500¢ = 808 + 500
    expect(cents(volume, '1000')).toBe(8500); // 1000 × 8¢ + 500¢ = 8000 + 500
    expect(cents(volume, '1001')).toBe(8006); // 1001 × 6¢ + 2000¢ = 6006 + 2000
  });
});

const packages: PackagePrice = {
  model: 'package',
  description: 'Emails, per 1,000',
  meter_code: 'emails',
  package_size: 1000,
  package_amount: '250',
};

describe('package prices', () => {
  it('charge every started package in full', () => {
    expect(cents(packages, '0')).toBe(0); // 0 packages
    expect(cents(packages, '1')).toBe(250); // ⌈1 / 1000⌉ = 1 package × 250¢
    expect(cents(packages, '1000')).toBe(250); // ⌈1000 / 1000⌉ = 1 × 250¢
    expect(cents(packages, '1001')).toBe(500); // ⌈1001 / 1000⌉ = 2 × 250¢
    expect(cents(packages, '2000.01')).toBe(750); // ⌈2000.01 / 1000⌉ = 3 × 250¢
  });

  it('round a fractional package amount once', () => {
    const price = { ...packages, package_size: 3, package_amount: '0.125' };
    expect(chargeForPrice(price, '10')).toEqual({ exactCents: '0.5', amountCents: 1 }); // ⌈10 / 3⌉ = 4 × 0.125¢ = 0.5¢ → 1¢
  });
});

describe('minimums', () => {
  it('raise a charge that comes out lower', () => {
    const price = perUnit({ minimum_amount_cents: 500 });
    expect(cents(price, '100')).toBe(500); // 100 × 0.5¢ = 50¢, raised to 500¢
    expect(cents(price, '0')).toBe(500); // 0¢, raised to 500¢
    expect(cents(price, '2000')).toBe(1000); // 2000 × 0.5¢ = 1000¢ ≥ 500¢
    expect(cents({ ...graduated, minimum_amount_cents: 300 }, '0')).toBe(300); // no tier entered: 0¢ → 300¢
    expect(cents({ ...packages, minimum_amount_cents: 600 }, '1001')).toBe(600); // 2 × 250¢ = 500¢ → 600¢
  });

  it('are compared with the exact charge, before rounding', () => {
    const price = perUnit({ unit_amount: '0.0025', minimum_amount_cents: 3087 });
    // 1,234,567 × 0.0025¢ = 3086.4175¢ < 3087¢ → 3087¢
    expect(chargeForPrice(price, '1234567')).toEqual({ exactCents: '3087', amountCents: 3087 });
  });
});
