import type { AddressInfo } from 'node:net';
import { Router } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv, ServiceEnv } from '../env';
import { createLogger } from '../logger';
import { createServiceMetrics } from '../metrics';
import { internalApiHeaders } from './internalApi';
import { closeServer, startServiceHttp } from './serviceHttp';

const token = 'internal_token_of_this_spec_0123456789';
const env = parseEnv(ServiceEnv, {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/afternoon',
  KAFKA_BROKERS: '127.0.0.1:9092',
  INTERNAL_API_TOKEN: token,
});

describe("a service's internal HTTP API", () => {
  let http: Awaited<ReturnType<typeof startServiceHttp>>;
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`http://127.0.0.1:${http.port}${path}`, { headers });

  beforeAll(async () => {
    const customers = Router().get('/customers', (_request, response) => {
      response.json({ customers: [] });
    });
    http = await startServiceHttp({
      host: env.INTERNAL_HOST,
      port: 0,
      token: env.INTERNAL_API_TOKEN,
      routers: [customers],
      readiness: [],
      metrics: createServiceMetrics('internal-api-spec'),
      logger: createLogger('internal-api-spec', 'silent'),
    });
  });
  afterAll(() => closeServer(http.server));

  it('listens on loopback unless INTERNAL_HOST says otherwise', () => {
    expect((http.server.address() as AddressInfo).address).toBe('127.0.0.1');
  });

  it('answers a route only to a request carrying the internal token', async () => {
    expect((await get('/customers', internalApiHeaders(token))).status).toBe(200);
    expect((await get('/customers', { authorization: `bearer ${token}` })).status).toBe(200);
  });

  it('answers without an ETag: the gateway never asks conditionally, so hashing each body would be wasted', async () => {
    const response = await get('/customers', internalApiHeaders(token));
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBeNull();
  });

  it('refuses with 401 a request without the token, with another, or with the token in another scheme', async () => {
    for (const headers of [
      {},
      internalApiHeaders('another_token_of_the_same_length_0123'),
      internalApiHeaders(`${token}0`),
      { authorization: `Basic ${token}` },
      { authorization: token },
    ]) {
      const response = await get('/customers', headers);
      expect({ headers, status: response.status }).toEqual({ headers, status: 401 });
      expect(await response.json()).toEqual({
        error: { code: 'UNAUTHORIZED', message: 'internal API: missing or wrong token' },
      });
    }
  });

  it('keeps liveness, readiness and metrics open to probes and scrapers', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics']) expect((await get(path)).status).toBe(200);
  });
});
