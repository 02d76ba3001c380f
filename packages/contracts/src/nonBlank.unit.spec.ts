import { describe, expect, it } from 'vitest';
import { NonBlankString } from './common';
import { CreateCustomerBody } from './customers';
import { CreateInvoiceBody } from './invoices';
import { CreateMeterBody } from './meters';
import { CreateOrganizationBody } from './organizations';
import { CreatePlanBody } from './plans';
import { CreateTestClockBody } from './testClocks';
import { IngestEvent } from './usage';

const blanks = ['', ' ', '   ', '\t\n', '\u00a0', '\u3000'];
const issuesOf = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  (result.error?.issues ?? []).map((issue) => ({ path: issue.path.join('.'), message: issue.message }));

describe('names and keys that say nothing', () => {
  it('refuses empty and whitespace-only text, and keeps other text as sent', () => {
    for (const blank of blanks) expect(NonBlankString.safeParse(blank).success, JSON.stringify(blank)).toBe(false);
    expect(NonBlankString.parse(' a ')).toBe(' a ');
    expect(NonBlankString.parse('0')).toBe('0');
  });

  it.each(blanks)('refuses %j as an event name or idempotency key', (blank) => {
    const event = { customer_id: 'cm5x9z8nv0000h85r7l9p2k1m', event_name: blank, idempotency_key: blank };
    expect(issuesOf(IngestEvent.safeParse(event))).toEqual([
      { path: 'event_name', message: 'must not be blank' },
      { path: 'idempotency_key', message: 'must not be blank' },
    ]);
  });

  it.each(blanks)(
    'refuses %j as the name of a customer, meter, plan, price, line, organization or test clock',
    (blank) => {
      expect(issuesOf(CreateCustomerBody.safeParse({ name: blank, external_id: blank }))).toEqual([
        { path: 'name', message: 'must not be blank' },
        { path: 'external_id', message: 'must not be blank' },
      ]);
      const meter = { code: 'tokens', name: blank, event_name: blank, aggregation: 'count' };
      expect(issuesOf(CreateMeterBody.safeParse(meter))).toEqual([
        { path: 'name', message: 'must not be blank' },
        { path: 'event_name', message: 'must not be blank' },
      ]);
      const price = { model: 'flat', description: blank, amount_cents: 100, timing: 'in_advance' };
      const plan = { code: 'basic', name: blank, interval: 'month', prices: [price] };
      expect(issuesOf(CreatePlanBody.safeParse(plan))).toEqual([
        { path: 'name', message: 'must not be blank' },
        { path: 'prices.0.description', message: 'must not be blank' },
      ]);
      const invoice = {
        customer_id: 'cm5x9z8nv0000h85r7l9p2k1m',
        collection_method: 'send_invoice',
        days_until_due: 30,
        line_items: [{ description: blank, quantity: 1, unit_amount_cents: 100 }],
      };
      expect(issuesOf(CreateInvoiceBody.safeParse(invoice))).toEqual([
        { path: 'line_items.0.description', message: 'must not be blank' },
      ]);
      expect(issuesOf(CreateOrganizationBody.safeParse({ name: blank }))).toEqual([
        { path: 'name', message: 'must not be blank' },
      ]);
      expect(issuesOf(CreateTestClockBody.safeParse({ frozen_time: '2027-01-01T00:00:00Z', name: blank }))).toEqual([
        { path: 'name', message: 'must not be blank' },
      ]);
    },
  );

  it('still trims the names it always trimmed', () => {
    expect(CreateCustomerBody.parse({ name: '  Acme Corp  ' }).name).toBe('Acme Corp');
  });
});
