import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

const requestIdFormat = /^req_[A-Za-z0-9_-]+$/;
const customerIdFormat = /^[a-z][a-z0-9]{24}$/;

describe('customers through the gateway', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;
  let globex: TestOrganization;

  beforeAll(async () => {
    cluster = await startTestCluster();
    acme = await cluster.createOrganization('Acme Inc.');
    globex = await cluster.createOrganization('Globex');
  });
  afterAll(() => cluster.stop());

  it('creates a customer exactly as the quickstart shows, and reads it back', async () => {
    const created = await acme.live.post('/v1/customers', {
      name: 'Acme Corp',
      email: 'billing@acme.com',
      external_id: 'cust_123',
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      success: true,
      customer: {
        id: expect.stringMatching(customerIdFormat),
        name: 'Acme Corp',
        first_name: null,
        last_name: null,
        email: 'billing@acme.com',
        phone: null,
        url: null,
        external_id: 'cust_123',
        billing_address: null,
        shipping_address: null,
        metadata: {},
        test_clock: null,
        created_at: expect.any(String),
        updated_at: expect.any(String),
        payment_provider: null,
      },
      request_id: expect.stringMatching(requestIdFormat),
    });
    expect(created.headers.get('x-request-id')).toBe(created.body.request_id);

    const fetched = await acme.live.get(`/v1/customers/${created.body.customer.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body.customer).toEqual(created.body.customer);
  });

  it('stores every documented field, and changes only the provided fields on update', async () => {
    const created = await acme.live.post('/v1/customers', {
      name: 'Initech',
      first_name: 'Bill',
      last_name: 'Lumbergh',
      email: 'bill@initech.com',
      phone: '+1 555 0100',
      url: 'https://initech.com',
      external_id: 'cust_initech',
      billing_address: { line1: '1 Initech Way', city: 'Austin', state: 'TX', postal_code: '73301', country: 'us' },
      shipping_address: { line1: '2 Loading Dock', country: 'US' },
      metadata: { tier: 'gold' },
    });
    expect(created.status).toBe(201);
    expect(created.body.customer.billing_address.country).toBe('US');
    const id = created.body.customer.id;

    const updated = await acme.live.patch(`/v1/customers/${id}`, { email: 'ap@initech.com', phone: null });
    expect(updated.status).toBe(200);
    expect(updated.body.customer).toEqual({
      ...created.body.customer,
      email: 'ap@initech.com',
      phone: null,
      updated_at: expect.any(String),
    });
    expect(Date.parse(updated.body.customer.updated_at)).toBeGreaterThanOrEqual(
      Date.parse(created.body.customer.updated_at),
    );
    expect((await acme.live.get(`/v1/customers/${id}`)).body.customer).toEqual(updated.body.customer);
  });

  it('deletes a customer: it is gone, cannot be deleted twice, and frees its external_id', async () => {
    const created = await acme.live.post('/v1/customers', { name: 'Doomed', external_id: 'cust_doomed' });
    const id = created.body.customer.id;
    const deleted = await acme.live.delete(`/v1/customers/${id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ success: true, customer: { id, deleted: true }, request_id: expect.any(String) });
    expect((await acme.live.get(`/v1/customers/${id}`)).status).toBe(404);
    expect((await acme.live.delete(`/v1/customers/${id}`)).body.error.code).toBe('NOT_FOUND');
    expect((await acme.live.patch(`/v1/customers/${id}`, { name: 'Back' })).status).toBe(404);
    expect((await acme.live.post('/v1/customers', { name: 'Reborn', external_id: 'cust_doomed' })).status).toBe(201);
  });

  it('lists newest first with cursor pagination and exact-match filters', async () => {
    const org = await cluster.createOrganization('Lister');
    const names = ['Ann', 'Bob', 'Cid', 'Dee', 'Eve'];
    const ids: string[] = [];
    for (const [index, name] of names.entries()) {
      const response = await org.live.post('/v1/customers', {
        name,
        first_name: name,
        last_name: index % 2 === 0 ? 'Even' : 'Odd',
        email: `${name.toLowerCase()}@example.com`,
        external_id: `ext_${name}`,
      });
      ids.push(response.body.customer.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await org.live.get(`/v1/customers?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(response.status).toBe(200);
      expect(response.body.customers.length).toBeLessThanOrEqual(2);
      seen.push(...response.body.customers.map((customer: { id: string }) => customer.id));
      cursor = response.body.pagination.next_cursor;
      expect(response.body.pagination.has_more).toBe(cursor !== null);
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());

    const defaultPage = await org.live.get('/v1/customers');
    expect(defaultPage.body.customers).toHaveLength(5);
    expect(defaultPage.body.pagination).toEqual({ has_more: false, next_cursor: null });

    const names_of = async (query: string) =>
      (await org.live.get(`/v1/customers?${query}`)).body.customers.map((customer: { name: string }) => customer.name);
    expect(await names_of('name=Bob')).toEqual(['Bob']);
    expect(await names_of('first_name=Cid')).toEqual(['Cid']);
    expect(await names_of('last_name=Odd')).toEqual(['Dee', 'Bob']);
    expect(await names_of('email=eve%40example.com')).toEqual(['Eve']);
    expect(await names_of('external_id=ext_Ann')).toEqual(['Ann']);
    expect(await names_of('name=bob')).toEqual([]);

    for (const query of ['limit=101', 'limit=0', 'limit=abc', 'colour=red', 'cursor=not-a-cursor']) {
      const response = await org.live.get(`/v1/customers?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.error.code, query).toBe('VALIDATION_ERROR');
    }
  });

  describe('errors', () => {
    it('names every bad field at once', async () => {
      const response = await acme.live.post('/v1/customers', { email: 'not-an-email', phone: 'x'.repeat(51) });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        success: false,
        error: {
          code: 'VALIDATION_ERROR',
          message: expect.stringContaining('name'),
          param: 'name',
          details: expect.arrayContaining([
            { param: 'name', message: 'is required' },
            expect.objectContaining({ param: 'email' }),
            expect.objectContaining({ param: 'phone' }),
          ]),
        },
        request_id: expect.stringMatching(requestIdFormat),
      });
    });

    it('tells a field of the wrong type from a missing one', async () => {
      const response = await acme.live.post('/v1/customers', { name: 7 });
      expect(response.status).toBe(400);
      expect(response.body.error.details).toEqual([
        { param: 'name', message: 'Invalid input: expected string, received number' },
      ]);
    });

    it('refuses unknown fields instead of ignoring them', async () => {
      const response = await acme.live.post('/v1/customers', { name: 'A', nickname: 'Ace' });
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({ code: 'VALIDATION_ERROR', param: 'nickname' });
      const patch = await acme.live.patch('/v1/customers/cm5x9z8nv0000h85r7l9p2k1m', { favourite: 1 });
      expect(patch.body.error).toMatchObject({ code: 'VALIDATION_ERROR', param: 'favourite' });
    });

    it('answers 409 CONFLICT for an external_id already taken in the organization and mode', async () => {
      await acme.live.post('/v1/customers', { name: 'First', external_id: 'cust_taken' });
      const response = await acme.live.post('/v1/customers', { name: 'Second', external_id: 'cust_taken' });
      expect(response.status).toBe(409);
      expect(response.body.error).toMatchObject({ code: 'CONFLICT', param: 'external_id' });

      const other = await acme.live.post('/v1/customers', { name: 'Other' });
      const taking = await acme.live.patch(`/v1/customers/${other.body.customer.id}`, { external_id: 'cust_taken' });
      expect(taking.status).toBe(409);
      expect((await acme.test.post('/v1/customers', { name: 'Test twin', external_id: 'cust_taken' })).status).toBe(
        201,
      );
      expect((await globex.live.post('/v1/customers', { name: 'Globex twin', external_id: 'cust_taken' })).status).toBe(
        201,
      );
    });

    it('answers 400 for malformed JSON and 413 for a body over the limit', async () => {
      const malformed = await acme.live.request('POST', '/v1/customers', undefined, {}, '{"name": "Acme",');
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.code).toBe('INVALID_JSON');
      expect(malformed.body.request_id).toMatch(requestIdFormat);

      const oversized = await acme.live.post('/v1/customers', {
        name: 'Big',
        metadata: { blob: 'x'.repeat(1_100_000) },
      });
      expect(oversized.status).toBe(413);
      expect(oversized.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    });

    it('answers 404 NOT_FOUND for unknown and impossible ids and unknown routes', async () => {
      for (const path of ['/v1/customers/cm5x9z8nv0000h85r7l9p2k1m', '/v1/customers/nope', '/v1/nothing-here']) {
        const response = await acme.live.get(path);
        expect(response.status, path).toBe(404);
        expect(response.body.error.code, path).toBe('NOT_FOUND');
      }
    });
  });

  describe('authentication', () => {
    it('refuses requests without a usable key with the documented codes', async () => {
      const cases: Array<[Record<string, string>, string, string]> = [
        [{}, 'UNAUTHORIZED', 'Missing or invalid Authorization header'],
        [{ authorization: 'Basic abc' }, 'UNAUTHORIZED', 'Missing or invalid Authorization header'],
        [{ authorization: 'Bearer sk_live_abc' }, 'INVALID_API_KEY', 'Invalid API key format'],
        [{ authorization: `Bearer ak_live_${'a'.repeat(40)}` }, 'INVALID_API_KEY', 'Invalid API key'],
      ];
      for (const [headers, code, message] of cases) {
        const response = await cluster.anonymous.get('/v1/customers', headers);
        expect(response.status).toBe(401);
        expect(response.body).toEqual({ success: false, error: { code, message }, request_id: expect.any(String) });
      }
    });

    it('refuses a revoked key with API_KEY_REVOKED while the organization’s other keys keep working', async () => {
      const org = await cluster.createOrganization('Revoker');
      const extra = await cluster.admin.post(`/v1/admin/organizations/${org.id}/api_keys`, { mode: 'live' });
      expect(extra.status).toBe(201);
      const extraClient = cluster.anonymous.as(extra.body.api_key.key);
      expect((await extraClient.get('/v1/customers')).status).toBe(200);

      const revoked = await cluster.admin.post(`/v1/admin/api_keys/${extra.body.api_key.id}/revoke`);
      expect(revoked.body.api_key.revoked_at).not.toBeNull();
      const refused = await extraClient.get('/v1/customers');
      expect(refused.status).toBe(401);
      expect(refused.body.error).toEqual({ code: 'API_KEY_REVOKED', message: 'API key has been revoked' });
      expect((await org.live.get('/v1/customers')).status).toBe(200);
    });
  });

  describe('tenancy', () => {
    it("never shows one organization's customers to another, nor live customers to a test key", async () => {
      const created = await acme.live.post('/v1/customers', { name: 'Private', email: 'private@acme.com' });
      const id = created.body.customer.id;
      for (const client of [globex.live, globex.test, acme.test]) {
        expect((await client.get(`/v1/customers/${id}`)).status).toBe(404);
        expect((await client.patch(`/v1/customers/${id}`, { name: 'Hijacked' })).status).toBe(404);
        expect((await client.delete(`/v1/customers/${id}`)).status).toBe(404);
        const listed = await client.get('/v1/customers?email=private%40acme.com');
        expect(listed.body.customers).toEqual([]);
      }
      const untouched = await acme.live.get(`/v1/customers/${id}`);
      expect(untouched.body.customer.name).toBe('Private');
    });
  });

  describe('Idempotency-Key', () => {
    it('returns the first answer to a retry and creates nothing twice', async () => {
      const org = await cluster.createOrganization('Retrier');
      const body = { name: 'Once Only', external_id: 'cust_once' };
      const first = await org.live.post('/v1/customers', body, { 'idempotency-key': 'create-once' });
      const second = await org.live.post('/v1/customers', body, { 'idempotency-key': 'create-once' });
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(second.body).toEqual(first.body);
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      expect((await org.live.get('/v1/customers')).body.customers).toHaveLength(1);

      const reused = await org.live.post('/v1/customers', { name: 'Different' }, { 'idempotency-key': 'create-once' });
      expect(reused.status).toBe(409);
      expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');

      // Keys belong to the organization and mode: the same key elsewhere is a new request.
      expect((await org.test.post('/v1/customers', body, { 'idempotency-key': 'create-once' })).status).toBe(201);
    });
  });

  describe('admin API', () => {
    it('creates organizations with a live and a test key, only for the admin token', async () => {
      const refused = await cluster.anonymous.post('/v1/admin/organizations', { name: 'Nope' });
      expect(refused.status).toBe(401);
      const wrong = await cluster.anonymous.as('not-the-admin-token').post('/v1/admin/organizations', { name: 'Nope' });
      expect(wrong.status).toBe(401);
      const asApiKey = await acme.live.post('/v1/admin/organizations', { name: 'Nope' });
      expect(asApiKey.status).toBe(401);

      const created = await cluster.admin.post('/v1/admin/organizations', { name: 'Umbrella' });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        success: true,
        organization: {
          id: expect.any(String),
          name: 'Umbrella',
          rate_limit_per_minute: null,
          created_at: expect.any(String),
        },
        api_keys: {
          live: expect.stringMatching(/^ak_live_[A-Za-z0-9]{40}$/),
          test: expect.stringMatching(/^ak_test_[A-Za-z0-9]{40}$/),
        },
        request_id: expect.any(String),
      });
      const keys = await cluster.admin.get(`/v1/admin/organizations/${created.body.organization.id}/api_keys`);
      expect(keys.body.api_keys.map((key: { mode: string }) => key.mode).sort()).toEqual(['live', 'test']);
      expect(JSON.stringify(keys.body)).not.toContain(created.body.api_keys.live);
      expect((await cluster.admin.post('/v1/admin/organizations', {})).status).toBe(400);
    });
  });
});
