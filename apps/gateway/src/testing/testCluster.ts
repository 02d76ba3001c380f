import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCustomerService } from '@afternoon/customer-service';
import type { RunningService } from '@afternoon/service-kit';
import { dropSchemas, GatewayClient, serviceEnv, uniqueName } from '@afternoon/testkit';
import { type RunningGateway, startGateway } from '../app';

export interface TestOrganization {
  id: string;
  live: GatewayClient;
  test: GatewayClient;
  keys: { live: string; test: string };
}

/**
 * The gateway and customer-service in this process, on the real cluster, with their own schemas and topic
 * namespace, so test files never see each other's data.
 */
export async function startTestCluster(options: { commandTimeoutMs?: number; withCustomerService?: boolean } = {}) {
  const topicPrefix = `${uniqueName('e2e')}.`;
  const schemas = { customers: uniqueName('customers'), gateway: uniqueName('gateway') };
  let customerService: RunningService | undefined;
  const customerServiceEnv = serviceEnv(schemas.customers, topicPrefix);

  const startCustomers = async () => {
    customerService = await startCustomerService({ ...customerServiceEnv });
    return customerService;
  };
  if (options.withCustomerService !== false) await startCustomers();

  const adminToken = uniqueName('admin_token_for_tests');
  // Without a customer service yet, point at a port that will be the one it gets later (queries are not tested then).
  const gateway: RunningGateway = await startGateway({
    ...serviceEnv(schemas.gateway, topicPrefix),
    ADMIN_TOKEN: adminToken,
    LOCAL_DIR: mkdtempSync(join(tmpdir(), 'afternoon-gateway-')),
    CUSTOMER_SERVICE_URL: `http://127.0.0.1:${customerService?.port ?? 1}`,
    COMMAND_TIMEOUT_MS: options.commandTimeoutMs ?? 15_000,
    IDEMPOTENCY_RETENTION_HOURS: 24,
  });
  const baseUrl = `http://127.0.0.1:${gateway.port}`;
  const anonymous = new GatewayClient(baseUrl);
  const admin = anonymous.as(adminToken);

  return {
    gateway,
    anonymous,
    admin,
    startCustomerService: startCustomers,
    async createOrganization(name = 'Acme Inc.'): Promise<TestOrganization> {
      const response = await admin.post('/v1/admin/organizations', { name });
      if (response.status !== 201) throw new Error(`could not create organization: ${JSON.stringify(response.body)}`);
      const keys = response.body.api_keys as { live: string; test: string };
      return { id: response.body.organization.id, keys, live: anonymous.as(keys.live), test: anonymous.as(keys.test) };
    },
    async stop() {
      await gateway.stop();
      await customerService?.stop();
      await dropSchemas(schemas.customers, schemas.gateway);
    },
  };
}
export type TestCluster = Awaited<ReturnType<typeof startTestCluster>>;
