import { describe, expect, it } from 'vitest';
import { ResourceId } from './common';
import { CreateCustomerBody, ListCustomersQuery, UpdateCustomerBody } from './customers';

describe('customer contracts', () => {
  it('accepts the quickstart body', () => {
    expect(CreateCustomerBody.parse({ name: 'Acme Corp', email: 'billing@acme.com', external_id: 'cust_123' })).toEqual(
      { name: 'Acme Corp', email: 'billing@acme.com', external_id: 'cust_123' },
    );
  });

  it('accepts every documented field', () => {
    const body = {
      name: 'Acme Corp',
      first_name: 'Ada',
      last_name: 'Lovelace',
      email: 'ada@acme.com',
      phone: '+44 20 7946 0000',
      url: 'https://acme.com',
      external_id: 'cust_1',
      billing_address: { line1: '1 Main St', city: 'London', postal_code: 'N1 9GU', country: 'gb' },
      shipping_address: { country: 'US' },
      metadata: { plan: 'pro' },
    };
    expect(CreateCustomerBody.parse(body).billing_address?.country).toBe('GB');
  });

  it('refuses a missing name, a bad email, a long phone and an unknown field, all at once', () => {
    const result = CreateCustomerBody.safeParse({ email: 'not-an-email', phone: 'x'.repeat(51), nickname: 'A' });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((issue) => issue.path.join('.') || issue.code);
    expect(paths).toEqual(expect.arrayContaining(['name', 'email', 'phone', 'unrecognized_keys']));
  });

  it('refuses strings past their length limits', () => {
    expect(CreateCustomerBody.safeParse({ name: 'x'.repeat(256) }).success).toBe(false);
    expect(CreateCustomerBody.safeParse({ name: 'A', external_id: 'x'.repeat(256) }).success).toBe(false);
    expect(CreateCustomerBody.safeParse({ name: 'A', url: `https://a.co/${'x'.repeat(2048)}` }).success).toBe(false);
    expect(CreateCustomerBody.safeParse({ name: 'A', billing_address: { country: 'GBR' } }).success).toBe(false);
  });

  it('lets an update clear optional fields but not the name', () => {
    expect(UpdateCustomerBody.parse({ email: null, external_id: null })).toEqual({ email: null, external_id: null });
    expect(UpdateCustomerBody.safeParse({ name: null }).success).toBe(false);
    expect(UpdateCustomerBody.safeParse({ name: '' }).success).toBe(false);
  });

  it('pages 50 by default and at most 100', () => {
    expect(ListCustomersQuery.parse({}).limit).toBe(50);
    expect(ListCustomersQuery.parse({ limit: '100' }).limit).toBe(100);
    expect(ListCustomersQuery.safeParse({ limit: '101' }).success).toBe(false);
    expect(ListCustomersQuery.safeParse({ limit: '0' }).success).toBe(false);
    expect(ListCustomersQuery.safeParse({ color: 'red' }).success).toBe(false);
  });

  it('recognises ids in the quickstart style only', () => {
    expect(ResourceId.safeParse('cm5x9z8nv0000h85r7l9p2k1m').success).toBe(true);
    expect(ResourceId.safeParse('cm5x9z8nv0000h85r7l9p2k1').success).toBe(false);
    expect(ResourceId.safeParse('../etc/passwd').success).toBe(false);
  });
});
