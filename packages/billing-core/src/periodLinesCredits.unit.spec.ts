import type { EnrichedPlanPrice } from '@afternoon/contracts/plans';
import { describe, expect, it } from 'vitest';
import { parseDecimal } from './exactDecimal';
import { coverageKey, periodLines } from './periodLines';
import { creditsApplied, type PendingCredit } from './periodLinesCredits';
import { callsPrice, gpuPrice, gpuSec, ids, january, plan } from './periodLinesFixtures';
import { pricingUnitLine } from './pricingUnitCharge';

/** 2 gpu_sec per token, per model (the meter groups by model). */
const tokenPrice: EnrichedPlanPrice = {
  id: ids.tokens,
  model: 'per_unit',
  description: 'Tokens',
  meter_code: 'tokens',
  pricing_unit: gpuSec,
  unit_amount: '2',
};

const feePrice: EnrichedPlanPrice = {
  id: ids.fee,
  model: 'flat',
  description: 'Platform fee',
  amount_cents: 1000,
  timing: 'in_arrears',
};

const billGpu = (gpuSeconds: string, covered: string | undefined, late?: string) =>
  periodLines({
    plan: plan([gpuPrice]),
    ended: january,
    starting: null,
    usageByMeter: { gpu_seconds: { total: gpuSeconds } },
    ...(late ? { lateUsageByMeter: { gpu_seconds: { total: late } } } : {}),
    ...(covered ? { coveredUnits: { [ids.gpu]: { [coverageKey(null)]: covered } } } : {}),
  });

describe('pricing-unit credits on usage lines', () => {
  it('takes the covered units off a line before converting it once', () => {
    // 1,001.3 s charge 1000 × 2 + 1.3 × 1.5 + 100 = 2101.95 gpu_sec; credits covered 1,000.3 of them, so
    // 2101.95 − 1000.3 = 1101.65 are billed: × 0.25¢ = 275.4125¢ → 275¢.
    const { lines, subtotal_cents } = billGpu('1001.3', '1000.3');
    expect(lines[0]).toMatchObject({
      kind: 'usage',
      quantity: '1001.3',
      amount_cents: 275,
      pricing_unit: { code: 'gpu_sec', quantity: '2101.95', covered: '1000.3', billed: '1101.65', unit_amount: '0.25' },
    });
    expect(subtotal_cents).toBe(275);
  });

  it('bills nothing for a line credits covered entirely, and keeps no more than its units', () => {
    // 2101.95 gpu_sec charged, 5000 covered by credits: the line covers its 2101.95 and bills 0 × 0.25 = 0¢.
    const { lines } = billGpu('1001.3', '5000');
    expect(lines[0]?.amount_cents).toBe(0);
    expect(lines[0]?.pricing_unit).toEqual({
      code: 'gpu_sec',
      quantity: '2101.95',
      unit_amount: '0.25',
      covered: '2101.95',
      billed: '0',
    });
  });

  it('shows no covered units when credits covered none, as lines before credits did', () => {
    // 2101.95 × 0.25¢ = 525.4875¢ → 525¢.
    expect(billGpu('1001.3', undefined).lines[0]).toMatchObject({
      amount_cents: 525,
      pricing_unit: { code: 'gpu_sec', quantity: '2101.95', unit_amount: '0.25' },
    });
    expect(billGpu('1001.3', '0').lines[0]?.pricing_unit).not.toHaveProperty('covered');
  });

  it('applies units covered after an invoice was built to the next one: billed once overall', () => {
    // January's 300 s charged 600 gpu_sec and its invoice was built when credits had covered 400 of them: billed
    // 200 × 0.25 = 50¢. 100 more of January's units were covered after (a late rating), and 100 of February's
    // 50 s (100 gpu_sec): February's pool is 100 + 100 = 200, its line covers all 100 of its units (0¢) and the
    // 100 left stay for March.
    const first = billGpu('300', '400');
    expect(first.lines[0]).toMatchObject({ amount_cents: 50, pricing_unit: { covered: '400', billed: '200' } });
    const second = billGpu('50', '200');
    expect(second.lines[0]).toMatchObject({ amount_cents: 0, pricing_unit: { quantity: '100', covered: '100' } });
    expect(second.lines[0]?.pricing_unit?.billed).toBe('0');
  });

  it("gives a late usage line what the period's line left, both lines converting their billed units once", () => {
    // On time 1,001.3 s → 2101.95 gpu_sec; with 0.7 late seconds the total is 1,002 s → 1000 × 2 + 2 × 1.5 + 100 =
    // 2103 gpu_sec, so the late line has 1.05. 2101 covered: the period's line covers 2101 and bills 0.95 → 0.2375¢ → 0¢;
    // nothing is left for the late line, which bills round((2103 − 2101) × 0.25) − 0 = round(0.5) = 1¢.
    const { lines } = billGpu('1001.3', '2101', '0.7');
    expect(lines.map(({ kind, amount_cents, pricing_unit }) => ({ kind, amount_cents, pricing_unit }))).toEqual([
      {
        kind: 'usage',
        amount_cents: 0,
        pricing_unit: { code: 'gpu_sec', quantity: '2101.95', unit_amount: '0.25', covered: '2101', billed: '0.95' },
      },
      { kind: 'late_usage', amount_cents: 1, pricing_unit: { code: 'gpu_sec', quantity: '1.05', unit_amount: '0.25' } },
    ]);
    // 2102.5 covered: the period's line covers all 2101.95 (0¢), the late line 0.55 of its 1.05 and bills
    // round((2103 − 2102.5) × 0.25) − round(0 × 0.25) = round(0.125) = 0¢.
    const late = billGpu('1001.3', '2102.5', '0.7').lines[1];
    expect(late).toMatchObject({ amount_cents: 0, pricing_unit: { quantity: '1.05', covered: '0.55', billed: '0.5' } });
  });

  it('covers each group of a grouped meter from its own credits', () => {
    // gpt: 100 tokens × 2 = 200 gpu_sec, 150 covered → 50 × 0.25 = 12.5¢ → 13¢. mini: 30 × 2 = 60 gpu_sec, none
    // covered → 15¢.
    const { lines, subtotal_cents } = periodLines({
      plan: plan([tokenPrice]),
      ended: january,
      starting: null,
      usageByMeter: {
        tokens: {
          total: '130',
          groups: [
            { key: { model: 'gpt' }, value: '100' },
            { key: { model: 'mini' }, value: '30' },
          ],
        },
      },
      coveredUnits: { [ids.tokens]: { [coverageKey({ model: 'gpt' })]: '150' } },
    });
    expect(lines.map(({ amount_cents, pricing_unit }) => ({ amount_cents, billed: pricing_unit?.billed }))).toEqual([
      { amount_cents: 13, billed: '50' },
      { amount_cents: 15, billed: undefined },
    ]);
    expect(subtotal_cents).toBe(28);
  });

  it('pricingUnitLine bills the units less those covered', () => {
    // 10 gpu_sec, 4 covered: 6 × 0.25 = 1.5¢ → 2¢.
    expect(pricingUnitLine(gpuSec, parseDecimal('10'), 'GPU time', parseDecimal('4'))).toEqual({
      amount_cents: 2,
      pricing_unit: { code: 'gpu_sec', quantity: '10', unit_amount: '0.25', covered: '4', billed: '6' },
    });
  });
});

const promo = { grant_id: 'grant_promo', name: 'Promo' };
const prepaid = { grant_id: 'grant_prepaid', name: 'Prepaid' };
/** Pending credits per grant, none applied earlier on a summed entry. */
const pendingOf = (...grants: PendingCredit[]) => ({ grants, unattributedCents: 0 });

describe('currency credits applied to an invoice', () => {
  it('applies every grant’s pending credits as one negative line naming them', () => {
    // Fee 1000¢ + 2,000 calls × 0.5¢ = 1000¢: 2000¢. Promo drew 300¢ and Prepaid 500¢: the line is −800¢, due 1200¢.
    const { lines, subtotal_cents } = periodLines({
      plan: plan([feePrice, callsPrice]),
      ended: january,
      starting: null,
      usageByMeter: { api_calls: { total: '2000' } },
      currencyCredits: pendingOf({ ...promo, amount_cents: 300 }, { ...prepaid, amount_cents: 500 }),
    });
    expect(lines.at(-1)).toEqual({
      kind: 'credit_applied',
      price_id: null,
      description: 'Credits applied',
      quantity: '1',
      amount_cents: -800,
      period_start: '2027-01-01T00:00:00.000Z',
      period_end: '2027-02-01T00:00:00.000Z',
      credit_grants: [
        { ...promo, amount_cents: -300 },
        { ...prepaid, amount_cents: -500 },
      ],
    });
    expect(subtotal_cents).toBe(1200);
  });

  it('never takes the invoice below zero: what does not fit stays pending, the grants giving in order', () => {
    // Total 600¢, 300 + 500 = 800¢ pending: 600¢ applied, Promo's 300 and 300 of Prepaid's 500 (200 left).
    expect(creditsApplied(pendingOf({ ...promo, amount_cents: 300 }, { ...prepaid, amount_cents: 500 }), 600n)).toEqual(
      [
        { ...promo, amount_cents: -300 },
        { ...prepaid, amount_cents: -300 },
      ],
    );
    // The next invoice, of 1000¢, gets Prepaid's 200¢ left.
    expect(creditsApplied(pendingOf({ ...prepaid, amount_cents: 200 }), 1000n)).toEqual([
      { ...prepaid, amount_cents: -200 },
    ]);
    // Nothing to bill, nothing applied.
    expect(creditsApplied(pendingOf({ ...prepaid, amount_cents: 200 }), 0n)).toEqual([]);
  });

  it('nets credits returned to a grant after an earlier invoice applied them', () => {
    // Promo got 100¢ back since an invoice applied it, Prepaid has 500¢ pending: 500 − 100 = 400¢ applied, Promo's
    // part +100, Prepaid's −500.
    const pending = pendingOf({ ...promo, amount_cents: -100 }, { ...prepaid, amount_cents: 500 });
    expect(creditsApplied(pending, 1000n)).toEqual([
      { ...promo, amount_cents: 100 },
      { ...prepaid, amount_cents: -500 },
    ]);
    // Capped at 250¢: Prepaid gives 250 + 100 = 350¢ so that with Promo's +100 the line is −250¢.
    expect(creditsApplied(pending, 250n)).toEqual([
      { ...promo, amount_cents: 100 },
      { ...prepaid, amount_cents: -350 },
    ]);
    // More returned than pending: nothing applied, the balance waits for a later invoice.
    expect(creditsApplied(pendingOf({ ...promo, amount_cents: -100 }), 1000n)).toEqual([]);
  });

  it('adds no line when no credits are pending', () => {
    const { lines } = periodLines({
      plan: plan([feePrice]),
      ended: january,
      starting: null,
      usageByMeter: {},
      currencyCredits: pendingOf(),
    });
    expect(lines.map(({ kind }) => kind)).toEqual(['fee']);
  });

  it('names at most 20 grants, summing the others into one entry', () => {
    // 25 grants of 10¢ each on a 2000¢ invoice: 250¢ applied; 19 grants named, the other 6 × 10 = 60¢ summed.
    const grants = Array.from({ length: 25 }, (_, n) => ({
      grant_id: `grant_${n}`,
      name: `Top-up ${n}`,
      amount_cents: 10,
    }));
    const { lines } = periodLines({
      plan: plan([feePrice, callsPrice]),
      ended: january,
      starting: null,
      usageByMeter: { api_calls: { total: '2000' } },
      currencyCredits: pendingOf(...grants),
    });
    const credited = lines.at(-1);
    expect(credited?.amount_cents).toBe(-250);
    expect(credited?.credit_grants).toHaveLength(20);
    expect(credited?.credit_grants?.[18]).toEqual({ grant_id: 'grant_18', name: 'Top-up 18', amount_cents: -10 });
    expect(credited?.credit_grants?.[19]).toEqual({
      grant_id: null,
      name: '6 other grants',
      amount_cents: -60,
      summed_grants: 6,
    });
  });

  it('takes what earlier invoices applied on a summed entry off the total, never applying it twice', () => {
    // Promo 300¢ and Prepaid 500¢ read as pending per grant, but 200¢ of them were applied on an "N other grants"
    // entry: 800 − 200 = 600¢ is applied, Promo's 300 first, then 300 of Prepaid's.
    expect(
      creditsApplied(
        { ...pendingOf({ ...promo, amount_cents: 300 }, { ...prepaid, amount_cents: 500 }), unattributedCents: 200 },
        1000n,
      ),
    ).toEqual([
      { ...promo, amount_cents: -300 },
      { ...prepaid, amount_cents: -300 },
    ]);
  });
});
