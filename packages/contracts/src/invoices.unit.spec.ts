import { describe, expect, it } from 'vitest';
import { CreateInvoiceBody, Quantity, UpdateInvoiceBody } from './invoices';

const body = {
  customer_id: 'cm5x9z8nv0000h85r7l9p2k1m',
  collection_method: 'send_invoice',
  days_until_due: 30,
  line_items: [{ description: 'API calls — Jan 2024', quantity: 1, unit_amount_cents: 5000 }],
};

describe('CreateInvoiceBody', () => {
  it('accepts the quickstart body, defaulting the currency and keeping the quantity as an exact decimal', () => {
    expect(CreateInvoiceBody.parse(body)).toEqual({
      ...body,
      currency: 'usd',
      line_items: [{ ...body.line_items[0], quantity: '1' }],
    });
  });

  it('requires days_until_due with send_invoice and refuses it with charge_automatically', () => {
    const { days_until_due: _, ...withoutDays } = body;
    expect(CreateInvoiceBody.safeParse(withoutDays).error?.issues[0]?.path).toEqual(['days_until_due']);
    const automatic = { ...body, collection_method: 'charge_automatically' };
    expect(CreateInvoiceBody.safeParse(automatic).error?.issues[0]?.path).toEqual(['days_until_due']);
    expect(CreateInvoiceBody.safeParse({ ...withoutDays, collection_method: 'charge_automatically' }).success).toBe(
      true,
    );
  });

  it('reports every bad field, and refuses unknown ones', () => {
    const result = CreateInvoiceBody.safeParse({
      ...body,
      collection_method: 'charge_automatically',
      currency: 'USD',
      line_items: [{ description: '', quantity: -1, unit_amount_cents: -1 }],
      extra: 1,
    });
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(
      expect.arrayContaining([
        'currency',
        'line_items.0.description',
        'line_items.0.quantity',
        'line_items.0.unit_amount_cents',
        'days_until_due',
        '',
      ]),
    );
  });

  it('caps the number of lines', () => {
    const lines = Array.from({ length: 251 }, () => body.line_items[0]);
    expect(CreateInvoiceBody.safeParse({ ...body, line_items: lines }).success).toBe(false);
  });
});

describe('Quantity', () => {
  it.each([
    [1, '1'],
    [1.5, '1.5'],
    ['0002.500', '2.5'],
    ['0.000001', '0.000001'],
    ['123456789.123456', '123456789.123456'],
  ])('%s is %s', (input, canonical) => {
    expect(Quantity.parse(input)).toBe(canonical);
  });

  it.each([0, '0.000', -1, '1e3', 1e-7, '0.0000001', '1234567890', 'abc', ''])('refuses %s', (input) => {
    expect(Quantity.safeParse(input).success).toBe(false);
  });
});

describe('UpdateInvoiceBody', () => {
  it('accepts a partial change and null to clear, and refuses unknown fields', () => {
    expect(UpdateInvoiceBody.parse({ memo: null, days_until_due: 10 })).toEqual({ memo: null, days_until_due: 10 });
    expect(UpdateInvoiceBody.safeParse({ status: 'paid' }).success).toBe(false);
  });
});
