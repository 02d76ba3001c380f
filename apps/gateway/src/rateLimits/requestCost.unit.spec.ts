import { describe, expect, it } from 'vitest';
import { requestCost } from './requestCost';

describe('requestCost', () => {
  it('weighs usage queries and line-item events, and nothing else', () => {
    expect(requestCost('GET', '/v1/meters/api_calls/usage')).toBe(10);
    expect(requestCost('GET', '/v1/customers/cus_1/usage')).toBe(10);
    expect(requestCost('GET', '/v1/customers/cus_1/usage/')).toBe(10);
    expect(requestCost('GET', '/v1/events/summary')).toBe(10);
    expect(requestCost('GET', '/v1/invoices/inv_1/line_items/li_1/events')).toBe(5);
    expect(requestCost('GET', '/v1/subscriptions/sub_1/upcoming_invoice')).toBe(5);
    expect(requestCost('HEAD', '/v1/meters/api_calls/usage')).toBe(10);
    expect(requestCost('GET', '/v1/customers/cus_1')).toBe(1);
    expect(requestCost('GET', '/v1/meters/api_calls')).toBe(1);
    expect(requestCost('GET', '/v1/customers/cus_1/usage/extra')).toBe(1);
    expect(requestCost('POST', '/v1/events/ingest')).toBe(1);
    expect(requestCost('PATCH', '/v1/meters/api_calls/usage')).toBe(1);
  });
});
