import type { GatewayClient } from '@afternoon/testkit';
import { expect } from 'vitest';

const billingAddress = {
  line1: '1 Industrial Way',
  city: 'Springfield',
  state: 'IL',
  postal_code: '62701',
  country: 'US',
};

/**
 * For the hosted invoice specs: a customer and a finalized $50.00 invoice with two lines (1 × $30.00 and
 * 2 × $10.00); answers its id, number and the path of its hosted page.
 */
export async function finalizedTestInvoice(client: GatewayClient, customerName = 'Globex Corp') {
  const customer = await client.post('/v1/customers', {
    name: customerName,
    email: 'billing@globex.com',
    billing_address: billingAddress,
  });
  expect(customer.status).toBe(201);
  const created = await client.post('/v1/invoices', {
    customer_id: customer.body.customer.id,
    collection_method: 'send_invoice',
    days_until_due: 30,
    line_items: [
      { description: 'API calls — Jan 2024', quantity: 1, unit_amount_cents: 3000 },
      { description: 'Support plan', quantity: 2, unit_amount_cents: 1000 },
    ],
  });
  expect(created.status).toBe(201);
  const id = created.body.invoice.id as string;
  const finalized = await client.post(`/v1/invoices/${id}/finalize`);
  expect(finalized.status).toBe(200);
  const { invoice_number: number, public_invoice_url: url } = finalized.body.invoice as {
    invoice_number: string;
    public_invoice_url: string;
  };
  return { id, number, path: new URL(url).pathname };
}
