import type { PlanPrice } from '@afternoon/contracts/plans';
import { describe, expect, it } from 'vitest';
import { type MeterPeriodUsage, periodLines } from './periodLines';

const ids = {
  platform: 'cm5x9z8nv0000h85r7l9p2k1a',
  support: 'cm5x9z8nv0000h85r7l9p2k1b',
  calls: 'cm5x9z8nv0000h85r7l9p2k1c',
  tokens: 'cm5x9z8nv0000h85r7l9p2k1d',
};

const platformFee: PlanPrice = {
  id: ids.platform,
  model: 'flat',
  description: 'Platform fee',
  amount_cents: 4900,
  timing: 'in_advance',
};
const supportFee: PlanPrice = {
  id: ids.support,
  model: 'flat',
  description: 'Support',
  amount_cents: 1500,
  timing: 'in_arrears',
};
const apiCalls: PlanPrice = {
  id: ids.calls,
  model: 'per_unit',
  description: 'API calls',
  meter_code: 'api_calls',
  unit_amount: '0.5',
  free_units: 1000,
};
const tokens: PlanPrice = {
  id: ids.tokens,
  model: 'graduated',
  description: 'Tokens',
  meter_code: 'tokens',
  tiers: [
    { up_to: 100, unit_amount: '10' },
    { up_to: 1000, unit_amount: '5', flat_amount: '200' },
    { up_to: null, unit_amount: '1', flat_amount: '1000' },
  ],
};

const wholePeriod = (start: string, end: string) => {
  const period = { start: new Date(start), end: new Date(end) };
  return { ...period, whole: period };
};
const january = wholePeriod('2027-01-01T00:00:00Z', '2027-02-01T00:00:00Z');
const february = wholePeriod('2027-02-01T00:00:00Z', '2027-03-01T00:00:00Z');
const inJanuary = { period_start: '2027-01-01T00:00:00.000Z', period_end: '2027-02-01T00:00:00.000Z' };
const inFebruary = { period_start: '2027-02-01T00:00:00.000Z', period_end: '2027-03-01T00:00:00.000Z' };

const usage: Record<string, MeterPeriodUsage> = {
  api_calls: { total: '1500.5' },
  tokens: {
    total: '151.4',
    groups: [
      { key: { model: 'gpt-4' }, value: '101' },
      { key: { model: 'gpt-3.5' }, value: '50' },
      { key: { model: null }, value: '0.4' },
    ],
  },
};

const plan = (minimum: number | null = null, prices = [platformFee, supportFee, apiCalls, tokens]) => ({
  prices,
  minimum_amount_cents: minimum,
});

describe('periodLines', () => {
  it('bills in-arrears fees and usage for the period, in-advance fees for the next, one line per group', () => {
    const { lines, subtotal_cents } = periodLines({
      plan: plan(),
      ended: january,
      starting: february,
      usageByMeter: usage,
    });
    expect(lines).toEqual([
      {
        kind: 'fee',
        price_id: ids.platform,
        description: 'Platform fee',
        quantity: '1',
        amount_cents: 4900,
        ...inFebruary,
      },
      { kind: 'fee', price_id: ids.support, description: 'Support', quantity: '1', amount_cents: 1500, ...inJanuary },
      // max(0, 1500.5 − 1000 free) = 500.5 × 0.5¢ = 250.25¢ → 250¢
      {
        kind: 'usage',
        price_id: ids.calls,
        description: 'API calls',
        quantity: '1500.5',
        amount_cents: 250,
        meter_code: 'api_calls',
        ...inJanuary,
      },
      // 100 × 10¢ + 1 × 5¢ + 200¢ (second tier entered) = 1205¢
      {
        kind: 'usage',
        price_id: ids.tokens,
        description: 'Tokens (model: gpt-4)',
        group: { model: 'gpt-4' },
        quantity: '101',
        amount_cents: 1205,
        meter_code: 'tokens',
        ...inJanuary,
      },
      // 50 × 10¢ = 500¢: each group is priced by the tiers on its own
      {
        kind: 'usage',
        price_id: ids.tokens,
        description: 'Tokens (model: gpt-3.5)',
        group: { model: 'gpt-3.5' },
        quantity: '50',
        amount_cents: 500,
        meter_code: 'tokens',
        ...inJanuary,
      },
      // 0.4 × 10¢ = 4¢
      {
        kind: 'usage',
        price_id: ids.tokens,
        description: 'Tokens (model: none)',
        group: { model: null },
        quantity: '0.4',
        amount_cents: 4,
        meter_code: 'tokens',
        ...inJanuary,
      },
    ]);
    // 4900 + 1500 + 250 + 1205 + 500 + 4
    expect(subtotal_cents).toBe(8359);
  });

  it('tops the subtotal up to the plan minimum with a "Minimum commitment" line, and only when short', () => {
    const short = periodLines({ plan: plan(10_000), ended: january, starting: february, usageByMeter: usage });
    // 10000 − 8359 = 1641
    expect(short.lines.at(-1)).toEqual({
      kind: 'minimum',
      price_id: null,
      description: 'Minimum commitment',
      quantity: '1',
      amount_cents: 1641,
      ...inJanuary,
    });
    expect(short.subtotal_cents).toBe(10_000);
    const reached = periodLines({ plan: plan(8359), ended: january, starting: february, usageByMeter: usage });
    expect(reached.lines.map((line) => line.description)).not.toContain('Minimum commitment');
    expect(reached.subtotal_cents).toBe(8359);
  });

  it('bills no in-advance fee when no period follows', () => {
    const { lines, subtotal_cents } = periodLines({
      plan: plan(),
      ended: january,
      starting: null,
      usageByMeter: usage,
    });
    expect(lines.map((line) => line.price_id)).not.toContain(ids.platform);
    // 8359 − 4900
    expect(subtotal_cents).toBe(3459);
  });

  it('applies a grouped price minimum once to the price, not once per group', () => {
    const { lines } = periodLines({
      plan: plan(null, [{ ...tokens, minimum_amount_cents: 2000 }]),
      ended: january,
      starting: february,
      usageByMeter: usage,
    });
    // Groups 1205 + 500 + 4 = 1709¢ < 2000¢: one top-up of 291¢ (per group it would have been 3 × 2000¢)
    expect(lines.map((line) => [line.description, line.amount_cents])).toEqual([
      ['Tokens (model: gpt-4)', 1205],
      ['Tokens (model: gpt-3.5)', 500],
      ['Tokens (model: none)', 4],
      ['Tokens (minimum)', 291],
    ]);
  });

  it('bills zero usage as one line of quantity 0 (its price minimum still applies) when a meter has no usage', () => {
    const { lines, subtotal_cents } = periodLines({
      plan: plan(null, [apiCalls, { ...tokens, minimum_amount_cents: 300 }]),
      ended: january,
      starting: february,
      usageByMeter: { tokens: { total: null, groups: [] } },
    });
    expect(lines.map((line) => [line.description, line.quantity, line.amount_cents])).toEqual([
      ['API calls', '0', 0],
      // no tier entered: 0¢, raised to the 300¢ minimum
      ['Tokens', '0', 300],
    ]);
    expect(subtotal_cents).toBe(300);
  });

  it('prorates flat fees by the second over a slice of a period, minimum included', () => {
    const midJanuary = { start: new Date('2027-01-15T00:00:00Z'), end: january.end, whole: january };
    const { lines } = periodLines({
      plan: plan(6200, [platformFee, supportFee]),
      ended: midJanuary,
      starting: { ...midJanuary, start: new Date('2027-01-20T00:00:00Z') },
      usageByMeter: {},
    });
    expect(lines.map((line) => [line.kind, line.description, line.amount_cents, line.period_start])).toEqual([
      // 4900¢ × 12 days / 31 days = 1896.77…¢ → 1897¢
      ['fee', 'Platform fee (prorated)', 1897, '2027-01-20T00:00:00.000Z'],
      // 1500¢ × 17 / 31 = 822.58…¢ → 823¢
      ['fee', 'Support (prorated)', 823, '2027-01-15T00:00:00.000Z'],
      // minimum 6200¢ × 17 / 31 = 3399.99…¢ → 3400¢; 3400 − (1897 + 823) = 680¢
      ['minimum', 'Minimum commitment', 680, '2027-01-15T00:00:00.000Z'],
    ]);
  });

  it('bills late usage at the margin over the period usage it joins, per group too', () => {
    const { lines } = periodLines({
      plan: plan(null, [apiCalls, tokens]),
      ended: january,
      starting: february,
      usageByMeter: {
        api_calls: { total: '800' },
        tokens: { total: '101', groups: [{ key: { model: 'gpt-4' }, value: '101' }] },
      },
      lateUsageByMeter: {
        api_calls: { total: '500' },
        tokens: {
          total: '15',
          groups: [
            { key: { model: 'gpt-4' }, value: '10' },
            { key: { model: 'o1' }, value: '5' },
          ],
        },
      },
    });
    expect(lines.map((line) => [line.kind, line.description, line.quantity, line.amount_cents])).toEqual([
      // 800 calls are within the 1000 free: 0¢
      ['usage', 'API calls', '800', 0],
      // (800 + 500 − 1000) × 0.5¢ = 150¢, minus the 0¢ already billed
      ['late_usage', 'API calls (late usage)', '500', 150],
      ['usage', 'Tokens (model: gpt-4)', '101', 1205],
      // 111 tokens: 100 × 10¢ + 11 × 5¢ + 200¢ = 1255¢, minus 1205¢ = 50¢
      ['late_usage', 'Tokens (model: gpt-4, late usage)', '10', 50],
      // a group with no usage on time: 5 × 10¢ = 50¢
      ['late_usage', 'Tokens (model: o1, late usage)', '5', 50],
    ]);
  });

  it('shows at most 100 groups of a price, largest first, and sums the rest into one line at their own prices', () => {
    // 100 groups of 150 tokens each: 100 × 10¢ + 50 × 5¢ + 200¢ (second tier entered) = 1450¢ per group.
    const large = Array.from({ length: 100 }, (_, index) => ({
      key: { model: `model-${String(index).padStart(3, '0')}` },
      value: '150',
    }));
    // The 3 smallest come first from metering (in key order): 60, 50 and 40 tokens, within the first tier.
    const small = [
      { key: { model: 'a-small' }, value: '60' },
      { key: { model: 'b-small' }, value: '40' },
      { key: { model: 'c-small' }, value: '50' },
    ];
    const { lines, subtotal_cents } = periodLines({
      plan: plan(null, [tokens]),
      ended: january,
      starting: february,
      usageByMeter: { tokens: { total: '15150', groups: [...small, ...large] } },
    });
    expect(lines).toHaveLength(101);
    // Equal amounts and quantities: by key.
    expect(lines.slice(0, 2).map((line) => [line.description, line.amount_cents])).toEqual([
      ['Tokens (model: model-000)', 1450],
      ['Tokens (model: model-001)', 1450],
    ]);
    expect(lines.slice(0, 100).every((line) => line.quantity === '150' && line.group !== undefined)).toBe(true);
    expect(lines[100]).toEqual({
      kind: 'usage',
      price_id: ids.tokens,
      description: 'Tokens (3 other groups)',
      // 60 + 40 + 50 tokens
      quantity: '150',
      // each group priced on its own: 60 × 10¢ + 40 × 10¢ + 50 × 10¢ = 1500¢ (150 tokens priced at once: 1450¢)
      amount_cents: 1500,
      meter_code: 'tokens',
      summed_groups: 3,
      ...inJanuary,
    });
    // 100 × 1450¢ + 600¢ + 400¢ + 500¢: every one of the 103 groups priced one by one
    expect(subtotal_cents).toBe(146_500);
  });

  it('sums late usage groups past 100 into a line of their own, beside the usage groups', () => {
    const groups = (count: number) =>
      Array.from({ length: count }, (_, index) => ({ key: { model: `m${1000 + index}` }, value: '1' }));
    const { lines, subtotal_cents } = periodLines({
      plan: plan(null, [tokens]),
      ended: january,
      starting: february,
      usageByMeter: { tokens: { total: '2', groups: groups(2) } },
      lateUsageByMeter: { tokens: { total: '102', groups: groups(102) } },
    });
    expect(lines.map((line) => [line.kind, line.description, line.quantity, line.amount_cents]).slice(-3)).toEqual([
      ['late_usage', 'Tokens (model: m1098, late usage)', '1', 10],
      ['late_usage', 'Tokens (model: m1099, late usage)', '1', 10],
      // m1100 and m1101: 1 token each at 10¢
      ['late_usage', 'Tokens (2 other groups, late usage)', '2', 20],
    ]);
    expect(lines).toHaveLength(2 + 101);
    // 2 × 10¢ on time + 102 × 10¢ late (m1000 and m1001 at the margin: 2 tokens cost 20¢, 10¢ of it billed on time)
    expect(subtotal_cents).toBe(1040);
  });

  it('credits the unused part of an in-advance fee when the subscription stops within the paid span', () => {
    const canceledAt = new Date('2027-02-15T00:00:00Z');
    const { lines, subtotal_cents } = periodLines({
      plan: plan(null, [platformFee, supportFee]),
      ended: { start: february.start, end: canceledAt, whole: february },
      starting: null,
      usageByMeter: {},
      refund: { paid: february, used: { start: february.start, end: canceledAt, whole: february } },
    });
    expect(
      lines.map((line) => [line.kind, line.description, line.amount_cents, line.period_start, line.period_end]),
    ).toEqual([
      // 4900¢ paid for February; 14 of its 28 days used earn 2450¢: 2450¢ back
      ['credit', 'Unused Platform fee', -2450, '2027-02-15T00:00:00.000Z', '2027-03-01T00:00:00.000Z'],
      // 1500¢ × 14 / 28 = 750¢ in arrears
      ['fee', 'Support (prorated)', 750, '2027-02-01T00:00:00.000Z', '2027-02-15T00:00:00.000Z'],
    ]);
    expect(subtotal_cents).toBe(-1700);
  });
});
