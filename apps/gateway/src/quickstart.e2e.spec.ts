import { afterAll, beforeAll, describe, it } from 'vitest';
import { runQuickstart } from '../test/quickstartSteps';
import { startTestCluster, type TestCluster, type TestOrganization } from '../test/testCluster';

/** The four requests of the public quickstart, back to back, exactly as the seed writes them. */
describe('the quickstart', () => {
  let cluster: TestCluster;
  let org: TestOrganization;

  beforeAll(async () => {
    cluster = await startTestCluster();
    org = await cluster.createOrganization('Quickstart Seller');
  });
  afterAll(() => cluster.stop());

  it('creates a customer, sends a billable event, creates a draft invoice, finalizes it, and opens its page', async () => {
    await runQuickstart(org, cluster.baseUrl);
  });
});
