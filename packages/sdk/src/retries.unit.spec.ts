import { describe, expect, it } from 'vitest';
import { AfternoonApiError } from './apiError';
import { createAfternoonClient } from './client';

const customer = {
  id: 'cus0123456789abcdefghijklm',
  name: 'Acme Corp',
  email: 'billing@acme.com',
  external_id: 'cust_123',
};
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const envelope = (code: string, message: string, param?: string) => ({
  success: false,
  error: { code, message, ...(param ? { param } : {}) },
  request_id: 'req_abc',
});

/** A gateway that answers each request with the next of `answers`, recording what it was sent. */
function fakeGateway(answers: (Response | Error)[]) {
  const sent: { method: string; url: string; headers: Headers; body: string }[] = [];
  const slept: number[] = [];
  let keys = 0;
  const client = createAfternoonClient({
    apiKey: 'ak_test_key',
    baseUrl: 'http://gateway.test/',
    fetch: async (request) => {
      sent.push({ method: request.method, url: request.url, headers: request.headers, body: await request.text() });
      const answer = answers.shift();
      if (!answer) throw new Error('no more answers');
      if (answer instanceof Error) throw answer;
      return answer;
    },
    idempotencyKey: () => `key_${++keys}`,
    retryPolicy: { sleep: async (ms) => void slept.push(ms), random: () => 0.5, now: () => Date.UTC(2026, 11, 5) },
  });
  return { client, sent, slept };
}

describe('createAfternoonClient', () => {
  it('retries a write refused with 503 with the same Idempotency-Key and body, and answers the 201', async () => {
    const { client, sent, slept } = fakeGateway([
      json(503, envelope('SERVICE_UNAVAILABLE', 'Try again')),
      json(201, { success: true, customer, request_id: 'req_1' }),
    ]);
    const created = await client.post('/v1/customers', { body: { name: 'Acme Corp', email: 'billing@acme.com' } });
    expect(created.customer.id).toBe(customer.id);
    expect(sent.map((request) => request.headers.get('idempotency-key'))).toEqual(['key_1', 'key_1']);
    expect(sent[1]?.body).toBe(sent[0]?.body);
    expect(sent[0]?.headers.get('authorization')).toBe('Bearer ak_test_key');
    expect(sent[0]?.url).toBe('http://gateway.test/v1/customers');
    // full jitter: 0.5 × min(30 000, 500 × 2⁰) = 250 ms
    expect(slept).toEqual([250]);
  });

  it('gives each logical write a key of its own, keeps the caller’s, and sends none on a read', async () => {
    const ok = () => json(201, { success: true, customer, request_id: 'req_1' });
    const { client, sent } = fakeGateway([ok(), ok(), ok(), json(200, { success: true, customer, request_id: 'r' })]);
    await client.post('/v1/customers', { body: { name: 'A' } });
    await client.post('/v1/customers', { body: { name: 'B' } });
    await client.post('/v1/customers', { body: { name: 'C' }, params: { header: { 'Idempotency-Key': 'mine' } } });
    await client.get('/v1/customers/{id}', { params: { path: { id: customer.id } } });
    expect(sent.map((request) => request.headers.get('idempotency-key'))).toEqual(['key_1', 'key_2', 'mine', null]);
  });

  it('waits what Retry-After asks on a 429, in seconds or as an HTTP date', async () => {
    const { client, slept } = fakeGateway([
      json(429, envelope('RATE_LIMITED', 'Slow down'), { 'retry-after': '12' }),
      json(429, envelope('RATE_LIMITED', 'Slow down'), { 'retry-after': 'Sat, 05 Dec 2026 00:00:03 GMT' }),
      json(200, { success: true, customer, request_id: 'req_1' }),
    ]);
    await client.get('/v1/customers/{id}', { params: { path: { id: customer.id } } });
    expect(slept).toEqual([12_000, 3_000]);
  });

  it('retries a 504 and a network error with growing, capped backoff, then gives the last answer', async () => {
    const { client, sent, slept } = fakeGateway([
      new TypeError('fetch failed'),
      json(504, envelope('TIMEOUT', 'Timed out')),
      json(504, envelope('TIMEOUT', 'Timed out')),
      json(504, envelope('TIMEOUT', 'Timed out again')),
    ]);
    const failure = client.post('/v1/invoices/{id}/finalize', { params: { path: { id: 'inv1' } } });
    await expect(failure).rejects.toMatchObject({ status: 504, code: 'TIMEOUT', message: 'Timed out again' });
    expect(sent).toHaveLength(4); // the first attempt and 3 retries
    expect(new Set(sent.map((request) => request.headers.get('idempotency-key')))).toEqual(new Set(['key_1']));
    // 0.5 × 500, 0.5 × 1000, 0.5 × 2000
    expect(slept).toEqual([250, 500, 1000]);
  });

  it('retries a 409 IDEMPOTENCY_KEY_IN_USE (the first attempt still running) but no other 409', async () => {
    const { client, sent } = fakeGateway([
      json(409, envelope('IDEMPOTENCY_KEY_IN_USE', 'In progress', 'Idempotency-Key')),
      json(409, envelope('CONFLICT', 'external_id taken', 'external_id')),
    ]);
    await expect(client.post('/v1/customers', { body: { name: 'A' } })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(sent).toHaveLength(2);
  });

  it('does not retry a 400, and throws the envelope as an AfternoonApiError', async () => {
    const { client, sent, slept } = fakeGateway([json(400, envelope('VALIDATION_ERROR', 'name is required', 'name'))]);
    const error = await client.post('/v1/customers', { body: { name: '' } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AfternoonApiError);
    expect(error).toMatchObject({
      status: 400,
      code: 'VALIDATION_ERROR',
      message: 'name is required',
      param: 'name',
      requestId: 'req_abc',
    });
    expect(sent).toHaveLength(1);
    expect(slept).toEqual([]);
  });

  it('names an answer that is not the envelope by its status', async () => {
    const { client } = fakeGateway([
      new Response('<html>Bad gateway</html>', { status: 502, headers: { 'x-request-id': 'req_proxy' } }),
    ]);
    await expect(client.get('/v1/customers')).rejects.toMatchObject({ code: 'HTTP_502', requestId: 'req_proxy' });
  });
});
