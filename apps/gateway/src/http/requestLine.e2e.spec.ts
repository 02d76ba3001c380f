import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from '../../test/rawRequest';
import { refused } from '../../test/refused';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

describe('methods, paths, query strings and schemes the edge answers with a 4xx, never a 5xx', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;
  const send = (method: string, path: string, headers: Record<string, string> = {}) =>
    rawRequest(cluster.baseUrl, method, path, { authorization: `Bearer ${acme.keys.live}`, ...headers });

  beforeAll(async () => {
    cluster = await startTestCluster();
    acme = await cluster.createOrganization('Acme Inc.');
  });
  afterAll(() => cluster?.stop());

  it('answers 404 for a path whose percent-encoding is not UTF-8', async () => {
    for (const path of ['/v1/invoices/%E0%A4%A', '/v1/plans/%C0%AF', '/v1/invoices/%E0%A4%A/finalize', '/v1/%ZZ']) {
      const method = path.endsWith('finalize') ? 'POST' : 'GET';
      refused(await send(method, path), 404, 'NOT_FOUND');
    }
  });

  it('refuses a NUL in a query value with 400 naming the parameter', async () => {
    const response = await send('GET', '/v1/customers?email=%00');
    refused(response, 400, 'VALIDATION_ERROR');
    expect(response.body.error.param).toBe('email');
  });

  it('answers 405 with Allow, from the routes themselves, for a method a path does not serve', async () => {
    const trace = await send('TRACE', '/v1/customers');
    refused(trace, 405, 'METHOD_NOT_ALLOWED');
    expect(trace.headers.get('allow')).toBe('GET, HEAD, POST');

    const put = await send('PUT', '/v1/customers/cm5x9z8nv0000h85r7l9p2k1m');
    refused(put, 405, 'METHOD_NOT_ALLOWED');
    expect(put.headers.get('allow')).toBe('DELETE, GET, HEAD, PATCH');

    const asAdmin = { authorization: `Bearer ${cluster.gateway.adminToken}` };
    const admin = await rawRequest(cluster.baseUrl, 'DELETE', '/v1/admin/organizations', asAdmin);
    refused(admin, 405, 'METHOD_NOT_ALLOWED');
    expect(admin.headers.get('allow')).toBe('GET, HEAD, POST');
    refused(await rawRequest(cluster.baseUrl, 'GET', '/v1/admin/nothing', asAdmin), 404, 'NOT_FOUND');
    refused(await rawRequest(cluster.baseUrl, 'DELETE', '/v1/admin/organizations'), 401, 'UNAUTHORIZED');

    const health = await rawRequest(cluster.baseUrl, 'POST', '/healthz');
    refused(health, 405, 'METHOD_NOT_ALLOWED');
    expect(health.headers.get('allow')).toBe('GET, HEAD');

    refused(await send('TRACE', '/v1/no_such_thing'), 404, 'NOT_FOUND');
    refused(await send('GET', '/v1/no_such_thing'), 404, 'NOT_FOUND');
  });

  it('answers CONNECT (which Node hands past the app) with 405 and the envelope, not a closed socket', async () => {
    const port = new URL(cluster.baseUrl).port;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () =>
        socket.write('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'),
      );
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk.toString();
      });
      socket.on('end', () => resolve(received));
      socket.on('error', reject);
    });
    const [head = '', body = ''] = answer.split('\r\n\r\n');
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 405 Method Not Allowed');
    expect(JSON.parse(body)).toMatchObject({
      success: false,
      error: { code: 'METHOD_NOT_ALLOWED' },
      request_id: expect.stringMatching(/^req_/),
    });
  });

  it('accepts the Bearer scheme in any case, for API keys and the admin token', async () => {
    for (const scheme of ['bearer', 'BEARER', 'bEaReR']) {
      expect(
        (await rawRequest(cluster.baseUrl, 'GET', '/v1/customers', { authorization: `${scheme} ${acme.keys.live}` }))
          .status,
      ).toBe(200);
      const admin = await rawRequest(cluster.baseUrl, 'GET', '/v1/admin/organizations', {
        authorization: `${scheme} ${cluster.gateway.adminToken}`,
      });
      expect(admin.status).toBe(200);
    }
    const basic = await rawRequest(cluster.baseUrl, 'GET', '/v1/customers', {
      authorization: `Basic ${acme.keys.live}`,
    });
    refused(basic, 401, 'UNAUTHORIZED');
  });

  it('answers without an ETag: each body has its own request_id, so none could be answered 304', async () => {
    const listed = await fetch(`${cluster.baseUrl}/v1/customers`, {
      headers: { authorization: `Bearer ${acme.keys.live}` },
    });
    expect(listed.status).toBe(200);
    expect(listed.headers.get('content-length')).not.toBeNull();
    expect(listed.headers.get('etag')).toBeNull();
  });
});
