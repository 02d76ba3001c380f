import { eventually } from '@afternoon/testkit';
import { expect } from 'vitest';
import type { TestOrganization } from './testCluster';

const requestId = expect.stringMatching(/^req_[A-Za-z0-9_-]+$/);

/** The quickstart's request bodies, exactly as the seed writes them. */
export const quickstartBodies = {
  customer: { name: 'Acme Corp', email: 'billing@acme.com', external_id: 'cust_123' },
  ingest: (customerId: string) => ({
    events: [
      {
        event_name: 'api.request',
        idempotency_key: 'evt_abc123xyz',
        customer_id: customerId,
        timestamp: '2024-01-15T10:30:00Z',
        properties: { tokens: 150, model: 'gpt-4' },
      },
    ],
  }),
  draftInvoice: (customerId: string) => ({
    customer_id: customerId,
    collection_method: 'send_invoice',
    days_until_due: 30,
    line_items: [{ description: 'API calls — Jan 2024', quantity: 1, unit_amount_cents: 5000 }],
  }),
};

/**
 * The four requests of the public quickstart, back to back, exactly as the seed writes them, for an organization named
 * 'Quickstart Seller' on the gateway at `baseUrl`: a customer, a billable event, a draft invoice finalized, its page.
 */
export async function runQuickstart(org: Pick<TestOrganization, 'live'>, baseUrl: string) {
  const customer = await org.live.post('/v1/customers', quickstartBodies.customer);
  expect(customer.status).toBe(201);
  expect(customer.body).toMatchObject({
    success: true,
    customer: { name: 'Acme Corp', email: 'billing@acme.com', external_id: 'cust_123' },
    request_id: requestId,
  });
  const customerId: string = customer.body.customer.id;
  expect(customerId).toMatch(/^[a-z][a-z0-9]{24}$/);

  const ingest = await org.live.post('/v1/events/ingest', quickstartBodies.ingest(customerId));
  expect(ingest.status).toBe(200);
  expect(ingest.body).toEqual({ success: true, accepted: 1, request_id: requestId });

  const publicInvoiceUrl = await finalizeDraftInvoice(org, customerId);
  await expectHostedPage(publicInvoiceUrl, baseUrl);

  // Events are processed asynchronously: wait for metering to have stored it.
  await eventually(async () => {
    const usage = await org.live.get(`/v1/customers/${customerId}/usage?event_name=api.request`);
    expect(usage.body.usage).toMatchObject({ count: 1, sums: { tokens: '150' } });
  });
  return { customerId, publicInvoiceUrl };
}

/** Creates the quickstart's draft invoice and finalizes it; returns its hosted page's URL. */
async function finalizeDraftInvoice(org: Pick<TestOrganization, 'live'>, customerId: string): Promise<string> {
  const draft = await org.live.post('/v1/invoices', quickstartBodies.draftInvoice(customerId));
  expect(draft.status).toBe(201);
  expect(draft.body).toMatchObject({
    success: true,
    invoice: {
      status: 'draft',
      total_cents: 5000,
      line_items: [{ description: 'API calls — Jan 2024', quantity: 1, unit_amount_cents: 5000, amount_cents: 5000 }],
    },
    request_id: requestId,
  });
  const invoiceId: string = draft.body.invoice.id;

  const finalized = await org.live.post(`/v1/invoices/${invoiceId}/finalize`);
  expect(finalized.status).toBe(200);
  expect(finalized.body).toMatchObject({
    success: true,
    invoice: { id: invoiceId, status: 'open', invoice_number: 'INV-0001' },
    request_id: requestId,
  });
  return finalized.body.invoice.public_invoice_url;
}

async function expectHostedPage(publicInvoiceUrl: string, baseUrl: string) {
  const page = await fetch(new URL(new URL(publicInvoiceUrl).pathname, baseUrl));
  expect(page.status).toBe(200);
  const html = await page.text();
  for (const text of ['Quickstart Seller', 'Acme Corp', 'INV-0001', 'API calls — Jan 2024', '$50.00']) {
    expect(html).toContain(text);
  }
}
