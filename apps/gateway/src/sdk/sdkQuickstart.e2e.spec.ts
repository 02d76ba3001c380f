import { AfternoonApiError, type AfternoonClient, createAfternoonClient, verifyWebhook } from '@afternoon/sdk';
import { eventually } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../../test/testCluster';
import { startWebhookReceiver, type WebhookReceiver } from '../../test/webhookReceiver';

/**
 * The README's quickstart through `@afternoon/sdk` against the real gateway. This file is typechecked against the
 * SDK's generated types, so a route or contract change that breaks the SDK's users breaks its compilation first.
 */
describe('the quickstart through the TypeScript SDK', () => {
  let cluster: TestCluster;
  let afternoon: AfternoonClient;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    cluster = await startTestCluster({ withNotificationService: true });
    const org = await cluster.createOrganization('Quickstart Seller');
    afternoon = createAfternoonClient({ apiKey: org.keys.live, baseUrl: cluster.baseUrl });
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await cluster.stop();
  });

  it('creates a customer, ingests an event, finalizes an invoice, reads it, and verifies its webhook', async () => {
    const { webhook_endpoint } = await afternoon.post('/v1/webhook_endpoints', {
      body: { url: receiver.url, enabled_events: ['invoice.finalized'] },
    });
    const { customer } = await afternoon.post('/v1/customers', {
      body: { name: 'Acme Corp', email: 'billing@acme.com', external_id: 'cust_123' },
    });
    const ingest = await afternoon.post('/v1/events/ingest', {
      body: {
        events: [
          {
            event_name: 'api.request',
            idempotency_key: 'evt_abc123xyz',
            customer_id: customer.id,
            timestamp: '2024-01-15T10:30:00Z',
            properties: { tokens: 150, model: 'gpt-4' },
          },
        ],
      },
    });
    expect(ingest).toEqual({ success: true, accepted: 1, request_id: expect.stringMatching(/^req_/) });

    const { invoice: draft } = await afternoon.post('/v1/invoices', {
      body: {
        customer_id: customer.id,
        collection_method: 'send_invoice',
        days_until_due: 30,
        line_items: [{ description: 'API calls — Jan 2024', quantity: 1, unit_amount_cents: 5000 }],
      },
    });
    expect(draft).toMatchObject({ status: 'draft', total_cents: 5000 });
    const { invoice: finalized } = await afternoon.post('/v1/invoices/{id}/finalize', {
      params: { path: { id: draft.id } },
    });
    expect(finalized).toMatchObject({ id: draft.id, status: 'open', invoice_number: 'INV-0001' });
    const { invoice } = await afternoon.get('/v1/invoices/{id}', { params: { path: { id: draft.id } } });
    expect(invoice).toMatchObject({ status: 'open', amount_due_cents: 5000, customer_name: 'Acme Corp' });

    await eventually(async () => {
      const { usage } = await afternoon.get('/v1/customers/{id}/usage', {
        params: { path: { id: customer.id }, query: { event_name: 'api.request' } },
      });
      expect(usage).toMatchObject({ count: 1, sums: { tokens: '150' } });
    });

    const webhook = await eventually(
      () => {
        expect(receiver.received).toHaveLength(1);
        return receiver.received[0]!;
      },
      { timeout: 20_000, label: 'invoice.finalized received' },
    );
    const event = await verifyWebhook(webhook.body, webhook.headers, webhook_endpoint.secret ?? '');
    expect(event).toMatchObject({ type: 'invoice.finalized', data: { id: draft.id, invoice_number: 'INV-0001' } });
  });

  it('sends a write twice with one Idempotency-Key and gets the first answer', async () => {
    const create = () =>
      afternoon.post('/v1/customers', {
        body: { name: 'Beta GmbH' },
        params: { header: { 'Idempotency-Key': 'sdk-e2e-beta' } },
      });
    const [first, second] = [await create(), await create()];
    expect(second.customer.id).toBe(first.customer.id);
  });

  it('pages through every customer with paginate', async () => {
    for (const name of ['Gamma', 'Delta', 'Epsilon']) await afternoon.post('/v1/customers', { body: { name } });
    const names: string[] = [];
    for await (const customer of afternoon.paginate('/v1/customers', { params: { query: { limit: 2 } } })) {
      names.push(customer.name);
    }
    expect(names.sort()).toEqual(['Acme Corp', 'Beta GmbH', 'Delta', 'Epsilon', 'Gamma']);
  });

  it("throws the API's error envelope as an AfternoonApiError", async () => {
    const refused = await afternoon
      .get('/v1/invoices/{id}', { params: { path: { id: 'inv_missing' } } })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AfternoonApiError);
    expect(refused).toMatchObject({ status: 404, code: 'NOT_FOUND', requestId: expect.stringMatching(/^req_/) });
  });
});
