import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from '../../test/rawRequest';
import { refused } from '../../test/refused';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

describe('request bodies the edge refuses with a 4xx, never a 5xx or silence', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;
  let customerId: string;
  const send = (method: string, path: string, headers: Record<string, string>, body?: Buffer | string) =>
    rawRequest(cluster.baseUrl, method, path, { authorization: `Bearer ${acme.keys.live}`, ...headers }, body);
  const json = { 'content-type': 'application/json' };
  const customer = JSON.stringify({ name: 'Zipped Corp' });

  beforeAll(async () => {
    cluster = await startTestCluster();
    acme = await cluster.createOrganization('Acme Inc.');
    customerId = (await acme.live.post('/v1/customers', { name: 'Acme Corp' })).body.customer.id;
  });
  afterAll(() => cluster?.stop());

  it('answers 400 for a body that is not the compressed data its Content-Encoding names, and reads one that is', async () => {
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const response = await send('POST', '/v1/customers', { ...json, 'content-encoding': encoding }, 'not packed');
      refused(response, 400, 'INVALID_JSON');
      expect(response.body.error.message).toContain(encoding);
    }
    const packers = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync };
    for (const [encoding, pack] of Object.entries(packers)) {
      const response = await send('POST', '/v1/customers', { ...json, 'content-encoding': encoding }, pack(customer));
      expect(response.status).toBe(201);
    }
  });

  it('counts the 1 MiB limit after decompression (413), so a small bomb cannot grow past it', async () => {
    const bomb = gzipSync(`{"name":"${' '.repeat(2 * 1024 * 1024)}"}`);
    expect(bomb.length).toBeLessThan(16 * 1024);
    refused(
      await send('POST', '/v1/customers', { ...json, 'content-encoding': 'gzip' }, bomb),
      413,
      'PAYLOAD_TOO_LARGE',
    );
  });

  it('answers 415 for a Content-Encoding it cannot read', async () => {
    const response = await send('POST', '/v1/customers', { ...json, 'content-encoding': 'compress' }, customer);
    refused(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(response.body.error.message).toContain('Content-Encoding');
  });

  it('answers 415 for any charset but UTF-8', async () => {
    for (const charset of ['latin1', 'utf-16', 'iso-8859-1', 'no-such-charset']) {
      const response = await send(
        'POST',
        '/v1/customers',
        { 'content-type': `application/json; charset=${charset}` },
        customer,
      );
      refused(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
    }
    const utf8 = await send('POST', '/v1/customers', { 'content-type': 'Application/JSON; Charset="UTF-8"' }, customer);
    expect(utf8.status).toBe(201);
  });

  it('refuses a body that is not JSON with 415 instead of ignoring it, and changes nothing', async () => {
    const path = `/v1/customers/${customerId}`;
    const bodies: Array<[Record<string, string>, string]> = [
      [{ 'content-type': 'text/plain' }, '{"name":"Renamed"}'],
      [{ 'content-type': 'application/x-www-form-urlencoded' }, 'name=Renamed'],
      [{ 'content-type': 'not a media type' }, '{"name":"Renamed"}'],
      [{}, '{"name":"Renamed"}'],
    ];
    for (const [headers, body] of bodies) {
      for (const method of ['PATCH', 'POST', 'PUT', 'DELETE']) {
        refused(await send(method, path, headers, body), 415, 'UNSUPPORTED_MEDIA_TYPE');
      }
    }
    expect((await acme.live.get(path)).body.customer.name).toBe('Acme Corp');
  });

  it('still serves a write with no body and no Content-Type', async () => {
    const created = await acme.live.post('/v1/customers', { name: 'Short-lived' });
    const deleted = await send('DELETE', `/v1/customers/${created.body.customer.id}`, {});
    expect(deleted.status).toBe(200);
    const emptyJson = await send('DELETE', `/v1/customers/${customerId}x`, { ...json, 'content-length': '0' });
    refused(emptyJson, 404, 'NOT_FOUND');
  });

  it('refuses a body nested deeper than 32 levels with 400, with or without an Idempotency-Key', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const deepObject = `{"name":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
    for (const headers of [json, { ...json, 'idempotency-key': 'deep-1' }]) {
      for (const body of [deep, deepObject]) {
        const response = await send('POST', '/v1/customers', headers, body);
        refused(response, 400, 'VALIDATION_ERROR');
        expect(response.body.error.message).toContain('32');
      }
    }
    const ingest = await send('POST', '/v1/events/ingest', json, deepObject);
    refused(ingest, 400, 'VALIDATION_ERROR');
  });

  it('refuses numbers JSON cannot carry exactly, naming where, and accepts them as strings', async () => {
    const invoice = (quantity: string) =>
      `{"customer_id":"${customerId}","collection_method":"send_invoice","days_until_due":30,"line_items":[{"description":"Calls","quantity":${quantity},"unit_amount_cents":1}]}`;
    const tooPrecise = await send('POST', '/v1/invoices', json, invoice('1.00000000000000000001'));
    refused(tooPrecise, 400, 'VALIDATION_ERROR');
    expect(tooPrecise.body.error.param).toBe('line_items[0].quantity');
    expect(tooPrecise.body.error.message).toContain('string');

    const event = (tokens: string) =>
      `{"events":[{"event_name":"api.request","idempotency_key":"big-${tokens.length}","customer_id":"${customerId}","properties":{"tokens":${tokens}}}]}`;
    const tooLarge = await send('POST', '/v1/events/ingest', json, event('9007199254740993'));
    refused(tooLarge, 400, 'VALIDATION_ERROR');
    expect(tooLarge.body.error.param).toBe('events[0].properties.tokens');

    expect((await send('POST', '/v1/events/ingest', json, event('"9007199254740993"'))).status).toBe(200);
    expect((await send('POST', '/v1/events/ingest', json, event('9007199254740991'))).status).toBe(200);
    expect((await send('POST', '/v1/invoices', json, invoice('0.1'))).status).toBe(201);
  });
});
