import { WebhookSecret } from '@afternoon/contracts/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refused } from '../../test/refused';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

const endpointIdFormat = /^[a-z][a-z0-9]{24}$/;
const requestIdFormat = /^req_[A-Za-z0-9_-]+$/;
const receiverUrl = 'http://127.0.0.1:9/webhooks';

describe('webhook endpoints through the gateway', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;

  beforeAll(async () => {
    cluster = await startTestCluster({ withNotificationService: true });
    acme = await cluster.createOrganization('Acme Inc.');
  });
  afterAll(() => cluster?.stop());

  describe('refused at the edge, naming the field', () => {
    const refusedAt = (response: Awaited<ReturnType<TestOrganization['live']['post']>>, param: string) => {
      refused(response, 400, 'VALIDATION_ERROR');
      expect(response.body.error.param).toBe(param);
    };

    it('a URL that is not http(s), carries credentials or is not a URL', async () => {
      for (const url of ['ftp://hooks.acme.com/in', 'https://user:pw@hooks.acme.com/in', 'not a url'])
        refusedAt(await acme.live.post('/v1/webhook_endpoints', { url, enabled_events: ['*'] }), 'url');
    });

    it('an unknown event type, "*" beside a named type, none, or a type twice', async () => {
      for (const enabled_events of [['invoice.exploded'], ['*', 'invoice.paid'], [], ['invoice.paid', 'invoice.paid']])
        refusedAt(
          await acme.live.post('/v1/webhook_endpoints', { url: receiverUrl, enabled_events }),
          'enabled_events',
        );
    });

    it('a missing URL and an unknown field, each named', async () => {
      const response = await acme.live.post('/v1/webhook_endpoints', { enabled_events: ['*'], secret: 'whsec_mine' });
      refused(response, 400, 'VALIDATION_ERROR');
      expect(response.body.error.details).toEqual(
        expect.arrayContaining([
          { param: 'url', message: 'is required' },
          { param: 'secret', message: 'unknown field' },
        ]),
      );
    });

    it('a PATCH that changes nothing, or a bad URL in one', async () => {
      const path = '/v1/webhook_endpoints/cm5x9z8nv0000h85r7l9p2k1m';
      const empty = await acme.live.patch(path, {});
      refused(empty, 400, 'VALIDATION_ERROR');
      // The whole body is at fault, not one field: the message says so, and no param is named.
      expect(empty.body.error.message).toBe('body: must change at least one field');
      refusedAt(await acme.live.patch(path, { url: 'gopher://acme.com' }), 'url');
      refusedAt(await acme.live.patch(path, { enabled: 'yes' }), 'enabled');
    });

    it('a replay window that ends before it starts, or in another shape', async () => {
      const path = '/v1/webhook_endpoints/cm5x9z8nv0000h85r7l9p2k1m/replay';
      const at = '2026-11-01T00:00:00Z';
      refusedAt(await acme.live.post(path, { from: at, to: at }), 'to');
      refusedAt(await acme.live.post(path, { from: '2026-11-02T00:00:00Z', to: at }), 'to');
      refusedAt(await acme.live.post(path, { from: 'yesterday', to: at }), 'from');
      refusedAt(await acme.live.post(path, { from: '2026-10-01T00:00:00Z', to: at, types: ['x.y'] }), 'types[0]');
    });

    it('list queries off their contract', async () => {
      refusedAt(await acme.live.get('/v1/webhook_endpoints?limit=0'), 'limit');
      refusedAt(await acme.live.get('/v1/webhook_endpoints?expand=all'), 'expand');
      refusedAt(
        await acme.live.get('/v1/webhook_endpoints/cm5x9z8nv0000h85r7l9p2k1m/deliveries?status=lost'),
        'status',
      );
      refusedAt(await acme.live.get('/v1/events_log?type=invoice.exploded'), 'type');
    });

    it('an id no resource can have is not found, on every route that names one', async () => {
      const bad = 'not-an-id';
      const answers = await Promise.all([
        acme.live.get(`/v1/webhook_endpoints/${bad}`),
        acme.live.patch(`/v1/webhook_endpoints/${bad}`, { enabled: true }),
        acme.live.delete(`/v1/webhook_endpoints/${bad}`),
        acme.live.post(`/v1/webhook_endpoints/${bad}/rotate_secret`),
        acme.live.get(`/v1/webhook_endpoints/${bad}/deliveries`),
        acme.live.post(`/v1/webhook_deliveries/${bad}/retry`),
        acme.live.post(`/v1/webhook_endpoints/${bad}/replay`, {
          from: '2026-11-01T00:00:00Z',
          to: '2026-11-02T00:00:00Z',
        }),
      ]);
      for (const answer of answers) {
        refused(answer, 404, 'NOT_FOUND');
        expect(answer.body.error.param).toBe('id');
      }
    });
  });

  it('creates an endpoint with its secret shown once, reads, lists, updates, rotates and deletes it', async () => {
    const created = await acme.live.post('/v1/webhook_endpoints', {
      url: receiverUrl,
      enabled_events: ['invoice.finalized', 'invoice.paid'],
      description: '  Provisioning  ',
      metadata: { team: 'billing' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      success: true,
      webhook_endpoint: {
        id: expect.stringMatching(endpointIdFormat),
        url: receiverUrl,
        enabled_events: ['invoice.finalized', 'invoice.paid'],
        description: 'Provisioning',
        metadata: { team: 'billing' },
        status: 'enabled',
        disabled_reason: null,
        secret: expect.stringMatching(/^whsec_/),
        created_at: expect.any(String),
        updated_at: expect.any(String),
      },
      request_id: expect.stringMatching(requestIdFormat),
    });
    const { secret, ...endpoint } = created.body.webhook_endpoint;
    // 32 random bytes, base64: 44 characters.
    expect(WebhookSecret.parse(secret)).toHaveLength('whsec_'.length + 44);
    const path = `/v1/webhook_endpoints/${endpoint.id}`;

    const fetched = await acme.live.get(path);
    expect(fetched.status).toBe(200);
    expect(fetched.body.webhook_endpoint).toEqual(endpoint);
    const listed = await acme.live.get('/v1/webhook_endpoints?limit=100');
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({
      success: true,
      webhook_endpoints: [endpoint],
      pagination: { has_more: false, next_cursor: null },
      request_id: expect.stringMatching(requestIdFormat),
    });
    expect((await acme.test.get('/v1/webhook_endpoints')).body.webhook_endpoints).toEqual([]);

    const updated = await acme.live.patch(path, { enabled_events: ['*'], description: null, enabled: false });
    expect(updated.status).toBe(200);
    expect(updated.body.webhook_endpoint).toEqual({
      ...endpoint,
      enabled_events: ['*'],
      description: null,
      status: 'disabled',
      disabled_reason: 'by_request',
      updated_at: expect.any(String),
    });
    expect(updated.body.webhook_endpoint.secret).toBeUndefined();

    const rotated = await acme.live.post(`${path}/rotate_secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.webhook_endpoint).toMatchObject({ id: endpoint.id, secret: expect.stringMatching(/^whsec_/) });
    expect(rotated.body.webhook_endpoint.secret).not.toBe(secret);
    expect((await acme.live.get(path)).body.webhook_endpoint.secret).toBeUndefined();

    const deleted = await acme.live.delete(path);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({
      success: true,
      webhook_endpoint: { id: endpoint.id, deleted: true },
      request_id: expect.stringMatching(requestIdFormat),
    });
    refused(await acme.live.get(path), 404, 'NOT_FOUND');
    refused(await acme.live.patch(path, { enabled: true }), 404, 'NOT_FOUND');
    expect((await acme.live.get('/v1/webhook_endpoints')).body.webhook_endpoints).toEqual([]);
  });

  it('creates one endpoint per Idempotency-Key, answering a retry with the first answer and its secret', async () => {
    const globex = await cluster.createOrganization('Globex');
    const body = { url: receiverUrl, enabled_events: ['customer.created'] };
    const headers = { 'idempotency-key': 'register-once' };
    const first = await globex.live.post('/v1/webhook_endpoints', body, headers);
    const again = await globex.live.post('/v1/webhook_endpoints', body, headers);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.webhook_endpoint).toEqual(first.body.webhook_endpoint);
    expect((await globex.live.get('/v1/webhook_endpoints')).body.webhook_endpoints).toHaveLength(1);
    refused(
      await globex.live.post('/v1/webhook_endpoints', { ...body, enabled_events: ['*'] }, headers),
      409,
      'IDEMPOTENCY_KEY_REUSED',
    );
  });

  it("another organization's endpoint, and the other mode's, are not found", async () => {
    const globex = await cluster.createOrganization('Globex');
    const created = await acme.live.post('/v1/webhook_endpoints', { url: receiverUrl, enabled_events: ['*'] });
    const path = `/v1/webhook_endpoints/${created.body.webhook_endpoint.id}`;
    for (const stranger of [globex.live, acme.test]) {
      refused(await stranger.get(path), 404, 'NOT_FOUND');
      refused(await stranger.patch(path, { enabled: false }), 404, 'NOT_FOUND');
      refused(await stranger.post(`${path}/rotate_secret`), 404, 'NOT_FOUND');
      refused(await stranger.delete(path), 404, 'NOT_FOUND');
    }
    expect((await acme.live.get(path)).body.webhook_endpoint.status).toBe('enabled');
  });
});
