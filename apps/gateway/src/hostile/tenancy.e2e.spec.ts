import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendRaw } from '../../test/rawRequest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';
import { type Fixtures, fixturesFor } from './fixtures';
import { type RouteUnderFuzz, requestTo } from './hostileRequests';
import { type RouteFuzz, routeDescriptions, routeKey } from './routeDescriptions';
import { settledState } from './trial';
import { codeOf, envelopeProblems } from './verdict';

const keyRoutes = Object.entries(routeDescriptions).filter(
  ([, fuzz]) => fuzz.auth === 'key' || fuzz.auth === 'test key',
);
// Ingest answers once the batch is durably in Kafka; metering checks the customer when it handles each record (a
// stranger's record is rejected into the stranger's own rejected events), so its refusal is not an HTTP answer.
const checkedAfterAnswering = ['POST /v1/events/ingest'];
// Routes naming one of the organization's resources, in the path or (to create something against it) in the body.
const routesNamingAResource = keyRoutes.filter(
  ([key, fuzz]) => !checkedAfterAnswering.includes(key) && (fuzz.params !== undefined || namesAFixture(fuzz)),
);
const adminRoutes = Object.entries(routeDescriptions).filter(([, fuzz]) => fuzz.auth === 'admin');

function namesAFixture(fuzz: RouteFuzz): boolean {
  const sample = JSON.stringify(fuzz.sample?.(new Proxy({} as Fixtures, { get: () => 'fixture_value' })) ?? {});
  return sample.includes('fixture_value');
}

describe('tenancy: every route naming a resource, asked by another organization or the other mode', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;
  let globex: TestOrganization;
  let fixtures: Fixtures;

  beforeAll(async () => {
    cluster = await startTestCluster({ withNotificationService: true });
    acme = await cluster.createOrganization('Acme Inc.');
    globex = await cluster.createOrganization('Globex');
    fixtures = await fixturesFor(cluster, acme, [
      'customer',
      'meter',
      'plan',
      'subscription',
      'invoice',
      'lineItem',
      'testClock',
      'pricingUnit',
      'creditGrant',
      'webhookEndpoint',
      'webhookDelivery',
      // Usage alerts (issue 14)
      'alert',
      // Invoice emails (issue 14)
      'emailedInvoice',
      'invoiceEmail',
      // Invoice payments (issue 15)
      'payableInvoice',
      'invoicePayment',
    ]);
  });
  afterAll(() => cluster?.stop());

  const routeAs = (key: string, fuzz: RouteFuzz, apiKey: string): RouteUnderFuzz => {
    const [method = '', path = ''] = key.split(' ');
    return { method, path, fuzz, fixtures, authorization: `Bearer ${apiKey}` };
  };
  const ownerKey = (fuzz: RouteFuzz) => (fuzz.auth === 'test key' ? acme.keys.test : acme.keys.live);
  const withSample = (fuzz: RouteFuzz) => ({
    ...(fuzz.sampleQuery ? { query: fuzz.sampleQuery } : {}),
    ...(fuzz.sample
      ? { headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(fuzz.sample(fixtures))) }
      : {}),
  });

  for (const [key, fuzz] of routesNamingAResource) {
    it(`${key}: another organization's keys and the other mode's key get 404 and change nothing`, async () => {
      const owner = routeAs(key, fuzz, ownerKey(fuzz));
      const readBack = fuzz.readBack?.(fixtures) ?? [];
      const before = await settledState(cluster.gateway.port, owner, readBack);
      const strangers = {
        'Globex live': globex.keys.live,
        'Globex test': globex.keys.test,
        'Acme other mode': fuzz.auth === 'test key' ? acme.keys.live : acme.keys.test,
      };
      const answers: Record<string, string> = {};
      const bodies: string[] = [];
      for (const [who, apiKey] of Object.entries(strangers)) {
        const response = await sendRaw(cluster.gateway.port, requestTo(routeAs(key, fuzz, apiKey), withSample(fuzz)));
        answers[who] = [`${response.status} ${codeOf(response)}`, ...envelopeProblems(response)].join('; ');
        bodies.push(`${who}: ${response.text}`);
      }
      // Test clocks exist in test mode only: a live key is refused as such (403) whatever the id, which tells nothing.
      const expected = (who: string) =>
        fuzz.auth === 'test key' && !who.endsWith('test') ? '403 FORBIDDEN' : '404 NOT_FOUND';
      expect(answers, bodies.join('\n')).toEqual(
        Object.fromEntries(Object.keys(strangers).map((who) => [who, expected(who)])),
      );
      expect(await settledState(cluster.gateway.port, owner, readBack)).toEqual(before);
    });
  }

  // A window replay names no resource: a stranger's replays the stranger's own emails (none), never the owner's; the
  // owner's replay of the same window does move them, so the window holds the owner's email.
  it("POST /v1/invoice_emails/replay: another organization's keys and the other mode's key replay none of the owner's emails", async () => {
    const key = routeKey('POST', '/v1/invoice_emails/replay');
    const fuzz = routeDescriptions[key] as RouteFuzz;
    const owner = routeAs(key, fuzz, acme.keys.live);
    const readBack = fuzz.readBack?.(fixtures) ?? [];
    const replay = async (apiKey: string) => {
      const response = await sendRaw(cluster.gateway.port, requestTo(routeAs(key, fuzz, apiKey), withSample(fuzz)));
      const replayed = (response.json as { replay?: { replayed?: number } } | undefined)?.replay?.replayed;
      return `${response.status} replayed ${replayed}`;
    };
    const before = await settledState(cluster.gateway.port, owner, readBack);
    const strangers = { 'Globex live': globex.keys.live, 'Globex test': globex.keys.test, 'Acme test': acme.keys.test };
    const answers: Record<string, string> = {};
    for (const [who, apiKey] of Object.entries(strangers)) answers[who] = await replay(apiKey);
    expect(answers).toEqual(Object.fromEntries(Object.keys(strangers).map((who) => [who, '200 replayed 0'])));
    expect(await settledState(cluster.gateway.port, owner, readBack)).toEqual(before);

    expect(await replay(acme.keys.live)).toMatch(/^200 replayed [1-9]/);
    expect(await settledState(cluster.gateway.port, owner, readBack)).not.toEqual(before);
  });

  it('a revoked key gets 401 API_KEY_REVOKED at once on every route behind an API key', async () => {
    const created = await cluster.admin.post(`/v1/admin/organizations/${acme.id}/api_keys`, { mode: 'live' });
    const revoked = await cluster.admin.post(`/v1/admin/api_keys/${created.body.api_key.id}/revoke`);
    expect(revoked.status).toBe(200);
    const answers: Record<string, string> = {};
    for (const [key, fuzz] of keyRoutes) {
      const response = await sendRaw(
        cluster.gateway.port,
        requestTo(routeAs(key, fuzz, created.body.api_key.key), withSample(fuzz)),
      );
      answers[key] = `${response.status} ${codeOf(response)}`;
    }
    expect(answers).toEqual(Object.fromEntries(keyRoutes.map(([key]) => [key, '401 API_KEY_REVOKED'])));
  });

  it('an API key gets 401 on every admin route', async () => {
    const answers: Record<string, string> = {};
    for (const [key, fuzz] of adminRoutes) {
      const route = routeAs(key, fuzz, acme.keys.live);
      const response = await sendRaw(cluster.gateway.port, {
        ...requestTo(route, withSample(fuzz)),
        target: route.path.replace(/:id/g, acme.id),
      });
      answers[key] = `${response.status} ${codeOf(response)}`;
    }
    expect(answers).toEqual(Object.fromEntries(adminRoutes.map(([key]) => [key, '401 UNAUTHORIZED'])));
  });

  it('an unknown hosted invoice token gets the 404 page, for the page, its PDF, its Pay and save-a-card buttons', async () => {
    const unknown = '/inv/inv_unknown0000000000000000000000';
    for (const [method, target] of [
      ['GET', unknown],
      ['GET', `${unknown}.pdf`],
      ['POST', `${unknown}/pay`],
      ['POST', `${unknown}/setup`],
    ] as const) {
      const response = await sendRaw(cluster.gateway.port, { method, target, headers: {} });
      expect({ target, status: response.status }).toEqual({ target, status: 404 });
    }
  });
});
