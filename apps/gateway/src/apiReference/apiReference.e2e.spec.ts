import { ErrorResponse } from '@afternoon/contracts/common';
import type { GatewayResponse } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quickstartBodies } from '../../test/quickstartSteps';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';
import { routeKey } from '../hostile/routeFuzz';
import { referenceContentSecurityPolicy } from './apiReferenceRoutes';
import { isDocumented, openApiPath } from './documentedRoutes';
import { openApiDocument, successSchemaOf } from './openApiDocument';

/** Checks a real answer against the schema the document gives its route, and that it has no field the schema lacks. */
function expectDescribed(method: string, path: string, response: GatewayResponse) {
  const schema = successSchemaOf(routeKey(method, path));
  const parsed = schema.safeParse(response.body);
  expect(parsed.error?.issues ?? [], `${method} ${path}`).toEqual([]);
  expect(parsed.data, `${method} ${path}: fields the document does not describe`).toEqual(response.body);
}

describe('the API reference, served by the gateway', () => {
  let cluster: TestCluster;
  let org: TestOrganization;

  beforeAll(async () => {
    cluster = await startTestCluster();
    org = await cluster.createOrganization('Reference Reader');
  });
  afterAll(() => cluster?.stop());

  it('serves the OpenAPI document at /openapi.json without a key, describing exactly the public routes it serves', async () => {
    const response = await cluster.anonymous.get('/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.body).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
    expect(response.body.openapi).toBe('3.1.0');

    const served = cluster.gateway
      .routes()
      .filter((route) => isDocumented(route.path))
      .map((route) => `${route.method} ${openApiPath(route.path)}`);
    const paths: Record<string, Record<string, unknown>> = response.body.paths;
    const described = Object.entries(paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(
      served.filter((key) => !described.includes(key)),
      'served but not described',
    ).toEqual([]);
    expect(
      described.filter((key) => !served.includes(key)),
      'described but not served',
    ).toEqual([]);
  });

  it('serves Swagger UI at /docs from its own files, under a policy that lets nothing else run or load', async () => {
    const page = await cluster.anonymous.get('/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toBe(referenceContentSecurityPolicy);
    const html: string = page.body;
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|style=|https?:\/\//);
    const loaded = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map(([, url]) => url);
    expect(loaded).toEqual([
      '/docs/swagger-ui.css',
      '/docs/favicon-32x32.png',
      '/docs/swagger-ui-bundle.js',
      '/docs/reference.js',
    ]);
    for (const url of loaded) expect((await cluster.anonymous.get(url ?? '')).status, url).toBe(200);

    const bundle = await cluster.anonymous.get('/docs/swagger-ui-bundle.js');
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
    expect(bundle.body).toContain('SwaggerUIBundle');
    const init = await cluster.anonymous.get('/docs/reference.js');
    expect(init.body).toContain("url: '/openapi.json'");

    const missing = await cluster.anonymous.get('/docs/index.html');
    expect(missing.status).toBe(404);
    expect(ErrorResponse.parse(missing.body).error.code).toBe('NOT_FOUND');
  });

  it("answers the quickstart's requests as the document describes them, errors included", async () => {
    const customer = await org.live.post('/v1/customers', quickstartBodies.customer);
    expect(customer.status).toBe(201);
    expectDescribed('POST', '/v1/customers', customer);
    const customerId: string = customer.body.customer.id;
    expectDescribed('GET', '/v1/customers/:id', await org.live.get(`/v1/customers/${customerId}`));
    expectDescribed('GET', '/v1/customers', await org.live.get('/v1/customers'));

    const ingest = await org.live.post('/v1/events/ingest', quickstartBodies.ingest(customerId));
    expectDescribed('POST', '/v1/events/ingest', ingest);

    const draft = await org.live.post('/v1/invoices', quickstartBodies.draftInvoice(customerId));
    expect(draft.status).toBe(201);
    expectDescribed('POST', '/v1/invoices', draft);
    const finalized = await org.live.post(`/v1/invoices/${draft.body.invoice.id}/finalize`);
    expect(finalized.body.invoice.status).toBe('open');
    expectDescribed('POST', '/v1/invoices/:id/finalize', finalized);
    expectDescribed('GET', '/v1/invoices', await org.live.get('/v1/invoices'));

    const refused = await org.live.post('/v1/customers', { email: 'nameless@acme.com' });
    expect(refused.status).toBe(400);
    expect(ErrorResponse.safeParse(refused.body).success).toBe(true);
  });
});
