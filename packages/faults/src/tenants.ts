import type { FaultCluster } from './faultCluster';
import type { Tenant } from './ledger';

const customersPerTenant = 8;

/**
 * Organizations made through the admin API, each with a few customers for its usage; `beforeCustomers` prepares
 * each one before its first customer (what must see every customer).
 */
export async function setUpTenants(
  cluster: FaultCluster,
  count: number,
  beforeCustomers: (tenant: Tenant, index: number) => Promise<void>,
): Promise<Tenant[]> {
  const tenants: Tenant[] = [];
  for (let index = 0; index < count; index++) {
    const organization = await postCreated(cluster.baseUrl, cluster.adminToken, '/v1/admin/organizations', {
      name: `Faults ${index}`,
    });
    const tenant: Tenant = {
      organizationId: organization.organization.id,
      liveKey: organization.api_keys.live,
      testKey: organization.api_keys.test,
      customerIds: [],
    };
    await beforeCustomers(tenant, index);
    for (let customer = 0; customer < customersPerTenant; customer++) {
      const created = await postCreated(cluster.baseUrl, tenant.liveKey, '/v1/customers', {
        name: `Usage customer ${customer}`,
      });
      tenant.customerIds.push(created.customer.id);
    }
    tenants.push(tenant);
  }
  return tenants;
}

/** A POST the setup needs answered 201; anything else ends the run. */
// biome-ignore lint/suspicious/noExplicitAny: the run reads whatever the gateway sent
export async function postCreated(baseUrl: string, bearer: string, path: string, body: unknown): Promise<any> {
  const response = await fetch(new URL(path, baseUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (response.status !== 201) throw new Error(`POST ${path} answered ${response.status}: ${JSON.stringify(answer)}`);
  return answer;
}
