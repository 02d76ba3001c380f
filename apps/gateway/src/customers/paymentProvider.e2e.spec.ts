import type { GatewayClient } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

describe('a customer linked to Stripe through PATCH /v1/customers/{id}, shown by GET', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;
  let client: GatewayClient;

  beforeAll(async () => {
    cluster = await startTestCluster();
    acme = await cluster.createOrganization('Acme Inc.');
    client = acme.test;
  });
  afterAll(() => cluster?.stop());

  const newCustomer = async () => {
    const created = await client.post('/v1/customers', { name: 'Ada', email: 'ada@example.com' });
    expect(created.status).toBe(201);
    expect(created.body.customer.payment_provider).toBeNull();
    return created.body.customer.id as string;
  };

  it('links with payment_provider alone, answers and reads back the link, and unlinks with null', async () => {
    const id = await newCustomer();
    const link = { stripe_customer_id: 'cus_Ada123', default_payment_method_id: 'pm_card_visa' };
    const linked = await client.patch(`/v1/customers/${id}`, { payment_provider: link });
    expect(linked.status).toBe(200);
    const shown = { provider: 'stripe', ...link, source: 'api', linked_at: expect.any(String) };
    expect(linked.body.customer).toMatchObject({ id, name: 'Ada', payment_provider: shown });
    expect((await client.get(`/v1/customers/${id}`)).body.customer).toEqual(linked.body.customer);

    // The rest of the body still goes to customer-service; a PATCH without payment_provider keeps the link.
    const renamed = await client.patch(`/v1/customers/${id}`, { name: 'Ada Lovelace' });
    expect(renamed.body.customer).toMatchObject({ name: 'Ada Lovelace', payment_provider: shown });

    const both = await client.patch(`/v1/customers/${id}`, {
      email: 'ap@example.com',
      payment_provider: { stripe_customer_id: 'cus_Other9' },
    });
    expect(both.body.customer).toMatchObject({
      email: 'ap@example.com',
      payment_provider: { stripe_customer_id: 'cus_Other9', default_payment_method_id: null },
    });

    const unlinked = await client.patch(`/v1/customers/${id}`, { payment_provider: null });
    expect(unlinked.status).toBe(200);
    expect(unlinked.body.customer.payment_provider).toBeNull();
    expect((await client.get(`/v1/customers/${id}`)).body.customer.payment_provider).toBeNull();
  });

  it('refuses ids that are not Stripe ids, every bad field at once, and changes nothing', async () => {
    const id = await newCustomer();
    const refused = await client.patch(`/v1/customers/${id}`, {
      name: 'Changed',
      payment_provider: { stripe_customer_id: 'acct_123', default_payment_method_id: 'card_123', extra: 1 },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('VALIDATION_ERROR');
    const params = (refused.body.error.details as { param: string }[]).map((problem) => problem.param).sort();
    expect(params).toEqual([
      'payment_provider.default_payment_method_id',
      'payment_provider.extra',
      'payment_provider.stripe_customer_id',
    ]);
    expect((await client.get(`/v1/customers/${id}`)).body.customer).toMatchObject({
      name: 'Ada',
      payment_provider: null,
    });
  });

  it("refuses to link another organization's customer, and one that does not exist", async () => {
    const id = await newCustomer();
    const globex = await cluster.createOrganization('Globex');
    const link = { payment_provider: { stripe_customer_id: 'cus_Stranger1' } };
    expect((await globex.test.patch(`/v1/customers/${id}`, link)).status).toBe(404);
    expect((await client.patch('/v1/customers/c000000000000000000000000x', link)).status).toBe(404);
    expect((await client.get(`/v1/customers/${id}`)).body.customer.payment_provider).toBeNull();
  });
});
