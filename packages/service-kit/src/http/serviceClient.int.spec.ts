import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { failureKind } from '../failures';
import type { InternalApi } from './internalApi';
import { askService, ServiceAnswerError, ServiceRefusedError, ServiceUnavailableError } from './serviceClient';
import { TenantHeaders } from './tenant';

const token = 'internal_token_of_this_spec_0123456789';
const tenant = { organizationId: 'org_1', mode: 'test' as const };
const Meter = z.object({ meter: z.object({ code: z.string(), group_by: z.array(z.string()) }) });

/** What the stand-in service saw of each question. */
interface Asked {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingMessage['headers'];
  body: string;
}

describe('askService against an HTTP server standing in for another service', () => {
  let server: Server;
  let service: InternalApi;
  const asked: Asked[] = [];

  beforeAll(async () => {
    server = createServer(async (request, response) => {
      let body = '';
      for await (const chunk of request) body += chunk;
      asked.push({ method: request.method, url: request.url, headers: request.headers, body });
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      const [status, answer] = answers[path] ?? [200, { meter: { code: 'tokens', group_by: [], extra: true } }];
      if (status === 0) return; // never answers
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(typeof answer === 'string' ? answer : JSON.stringify(answer));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    service = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token };
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const answers: Record<string, [number, unknown]> = {
    '/meters/renamed': [200, { meter: { name: 'tokens' } }],
    '/meters/garbled': [200, 'not json'],
    '/meters/missing': [404, { error: { code: 'NOT_FOUND', message: "No such meter: 'missing'", param: 'code' } }],
    '/meters/teapot': [418, 'no envelope'],
    '/meters/failing': [500, { error: { code: 'INTERNAL_ERROR', message: 'Something went wrong' } }],
    '/meters/silent': [0, undefined],
  };

  it('answers with the answer parsed by its contract, asking with the token and the tenant', async () => {
    const answer = await askService(service, {
      path: '/meters/tokens',
      answer: Meter,
      tenant,
      query: { version: '2', cursor: undefined },
    });

    // Parsed, not passed through: the field the contract does not name is gone.
    expect(answer).toEqual({ meter: { code: 'tokens', group_by: [] } });
    const [question] = asked.slice(-1);
    expect(question).toMatchObject({ method: 'GET', url: '/meters/tokens?version=2', body: '' });
    expect(question?.headers).toMatchObject({
      authorization: `Bearer ${token}`,
      [TenantHeaders.organizationId]: 'org_1',
      [TenantHeaders.mode]: 'test',
    });
  });

  it('sends a body as JSON with POST, and extra headers as given', async () => {
    await askService(service, {
      path: '/meters/batch',
      answer: Meter,
      body: { codes: ['tokens'] },
      headers: { 'x-afternoon-all-groups': 'true' },
    });

    const [question] = asked.slice(-1);
    expect(question).toMatchObject({ method: 'POST', body: '{"codes":["tokens"]}' });
    expect(question?.headers).toMatchObject({ 'content-type': 'application/json', 'x-afternoon-all-groups': 'true' });
    expect(question?.headers[TenantHeaders.organizationId]).toBeUndefined();
  });

  it('refuses a 2xx answer off its contract, or not JSON at all, as a failure rather than data', async () => {
    for (const path of ['/meters/renamed', '/meters/garbled']) {
      const asking = askService(service, { path, answer: Meter, tenant });
      await expect(asking).rejects.toBeInstanceOf(ServiceAnswerError);
      await expect(asking).rejects.toThrow(`GET ${path} was answered in an unexpected shape`);
    }
  });

  it("hands on a 4xx's error envelope as the service's refusal, with its status", async () => {
    const refused = await askService(service, { path: '/meters/missing', answer: Meter, tenant }).catch((e) => e);

    expect(refused).toBeInstanceOf(ServiceRefusedError);
    expect(refused).toMatchObject({
      status: 404,
      error: { code: 'NOT_FOUND', message: "No such meter: 'missing'", param: 'code' },
    });
  });

  it('counts a 5xx, a 4xx without an envelope, a missed deadline and no answer as the world being unavailable', async () => {
    const unreachable = { url: 'http://127.0.0.1:1', token };
    const failures = await Promise.all([
      askService(service, { path: '/meters/failing', answer: Meter }).catch((e) => e),
      askService(service, { path: '/meters/teapot', answer: Meter }).catch((e) => e),
      askService(service, { path: '/meters/silent', answer: Meter, timeoutMs: 100 }).catch((e) => e),
      askService(unreachable, { path: '/meters/tokens', answer: Meter }).catch((e) => e),
    ]);

    for (const failure of failures) {
      expect(failure).toBeInstanceOf(ServiceUnavailableError);
      expect(failureKind(failure)).toBe('world');
    }
    expect(failures[0].message).toContain('GET /meters/failing failed with 500');
  });
});
