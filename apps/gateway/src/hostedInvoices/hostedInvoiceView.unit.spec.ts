import { describe, expect, it } from 'vitest';
import { lineNotes } from './hostedInvoiceView';

describe('lineNotes', () => {
  const line = {
    id: 'cm5x9z8nv0000h85r7l9p2k4a',
    description: 'GPU time',
    quantity: 1001.3,
    unit_amount_cents: null,
    price_id: null,
    period_start: null,
    period_end: null,
    meter_code: null,
  };

  it("shows a pricing-unit line's units, and what credits covered of them", () => {
    const pricing_unit = { code: 'gpu_sec', quantity: '2101.95', unit_amount: '0.25' };
    expect(lineNotes({ ...line, kind: 'usage', amount_cents: 525, pricing_unit }, 'usd')).toEqual(['2101.95 gpu_sec']);
    const covered = { ...pricing_unit, covered: '1000.3', billed: '1101.65' };
    expect(lineNotes({ ...line, kind: 'usage', amount_cents: 275, pricing_unit: covered }, 'usd')).toEqual([
      '2101.95 gpu_sec: 1000.3 covered by credits, 1101.65 billed',
    ]);
  });

  it("names a credit_applied line's grants with their parts", () => {
    const credit_grants = [
      { grant_id: 'grant_a', name: 'Promo', amount_cents: -300 },
      { grant_id: 'grant_b', name: 'Prepaid', amount_cents: -1250 },
    ];
    const notes = lineNotes({ ...line, kind: 'credit_applied', amount_cents: -1550, credit_grants }, 'usd');
    expect(notes).toEqual(['Promo: -$3.00', 'Prepaid: -$12.50']);
  });

  it('adds nothing to other lines', () => {
    expect(lineNotes({ ...line, kind: 'fee', amount_cents: 1000 }, 'usd')).toEqual([]);
  });
});
