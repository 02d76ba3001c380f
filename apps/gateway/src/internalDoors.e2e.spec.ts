import { TenantHeaders } from '@afternoon/service-kit';
import { GatewayClient } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../test/testCluster';

const notFound = { success: false, error: { code: 'NOT_FOUND' } };

describe('the services behind the gateway', () => {
  let cluster: TestCluster;
  let org: TestOrganization;

  beforeAll(async () => {
    cluster = await startTestCluster();
    org = await cluster.createOrganization();
  });
  afterAll(() => cluster.stop());

  it('refuse a request that names a tenant but carries no internal token, while the gateway reads through them', async () => {
    const created = await org.live.post('/v1/customers', { name: 'Acme Corp' });
    expect(created.status).toBe(201);
    const id: string = created.body.customer.id;
    expect((await org.live.get(`/v1/customers/${id}`)).status).toBe(200);

    const direct = await fetch(`http://127.0.0.1:${cluster.services.customers()?.port}/customers/${id}`, {
      headers: { [TenantHeaders.organizationId]: org.id, [TenantHeaders.mode]: 'live' },
    });
    expect(direct.status).toBe(401);
  });

  it('serve the admin API on the public port when no ADMIN_PORT is set', async () => {
    expect(cluster.adminUrl).toBe(cluster.baseUrl);
    expect((await cluster.admin.get('/v1/admin/organizations')).status).toBe(200);
  });
});

describe('the admin API on its own port (ADMIN_PORT)', () => {
  let cluster: TestCluster;
  let publicAdmin: GatewayClient;

  beforeAll(async () => {
    cluster = await startTestCluster({ separateAdminPort: true });
    publicAdmin = new GatewayClient(cluster.baseUrl).as(cluster.gateway.adminToken);
  });
  afterAll(() => cluster.stop());

  it('answers there, and the public port answers 404 for it, whatever the path and case', async () => {
    expect(cluster.adminUrl).not.toBe(cluster.baseUrl);
    const org = await cluster.createOrganization('Own Port Seller');
    expect((await org.live.post('/v1/customers', { name: 'Acme Corp' })).status).toBe(201);

    for (const [method, path] of [
      ['POST', '/v1/admin/organizations'],
      ['GET', '/v1/admin/organizations'],
      ['GET', '/V1/Admin/organizations'],
      ['GET', '/v1/admin/dead_letters'],
      ['POST', `/v1/admin/organizations/${org.id}/api_keys`],
    ] as const) {
      const answer = await publicAdmin.request(method, path, method === 'POST' ? { name: 'Intruder' } : undefined);
      expect({ method, path, status: answer.status, body: answer.body }).toMatchObject({
        method,
        path,
        status: 404,
        body: notFound,
      });
    }
    const organizations = await cluster.admin.get('/v1/admin/organizations');
    expect(organizations.body.organizations.map((organization: { name: string }) => organization.name)).toEqual([
      'Own Port Seller',
    ]);
  });

  it('serves nothing but the admin API on the admin port', async () => {
    const org = await cluster.createOrganization();
    const onAdminPort = new GatewayClient(cluster.adminUrl).as(org.keys.live);
    expect(await onAdminPort.get('/v1/customers')).toMatchObject({ status: 404, body: notFound });
  });
});
