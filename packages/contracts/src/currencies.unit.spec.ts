import { describe, expect, it } from 'vitest';
import { Currency, currencyListPublished, currencyMinorUnits, minorUnitsOf } from './currencies';
import { CreateInvoiceBody } from './invoices';
import { CreatePlanBody } from './plans';

describe('the ISO 4217 table', () => {
  it.each([
    ['jpy', 0],
    ['krw', 0],
    ['isk', 0],
    ['usd', 2],
    ['eur', 2],
    ['huf', 2], // ISO says 2, where CLDR (and so Intl) formats 0
    ['kwd', 3],
    ['bhd', 3],
    ['iqd', 3], // ISO says 3, where CLDR says 0
    ['clf', 4],
  ])('%s has %i minor units', (code, digits) => {
    expect(minorUnitsOf(code)).toBe(digits);
  });

  it('holds every active currency in lowercase, and no code without a minor unit', () => {
    expect(currencyMinorUnits.size).toBeGreaterThanOrEqual(150);
    for (const code of currencyMinorUnits.keys()) expect(code).toMatch(/^[a-z]{3}$/);
    for (const code of ['xau', 'xag', 'xdr', 'xts', 'xxx']) expect(currencyMinorUnits.has(code)).toBe(false);
    expect(currencyListPublished).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('refuses codes that are not active ISO 4217 currencies', () => {
    for (const code of ['xyz', 'USD', 'us', 'usdd', 'xau', '', 'hrk'])
      expect(Currency.safeParse(code).success).toBe(false);
    expect(() => minorUnitsOf('xyz')).toThrow(RangeError);
  });
});

describe('a currency where one is accepted', () => {
  const price = { model: 'flat', description: 'Platform fee', amount_cents: 4900, timing: 'in_advance' };
  const plan = { code: 'pro', name: 'Pro', interval: 'month', prices: [price] };
  const invoice = { customer_id: 'cus', collection_method: 'charge_automatically' };
  const paths = (result: { error?: { issues: { path: PropertyKey[] }[] } }) =>
    result.error?.issues.map((issue) => issue.path.join('.'));

  it('is refused by name when unknown, on plans and invoices', () => {
    expect(paths(CreatePlanBody.safeParse({ ...plan, currency: 'xyz' }))).toEqual(['currency']);
    expect(paths(CreateInvoiceBody.safeParse({ ...invoice, currency: 'xyz' }))).toEqual(['currency']);
  });

  it('is taken in lowercase for zero- and three-decimal currencies', () => {
    expect(CreatePlanBody.parse({ ...plan, currency: 'jpy' }).currency).toBe('jpy');
    expect(CreateInvoiceBody.parse({ ...invoice, currency: 'kwd' }).currency).toBe('kwd');
  });
});
