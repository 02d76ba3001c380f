import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';
import { finalizedTestInvoice as finalizedInvoice } from './finalizedTestInvoice';

describe('hosted invoice page', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;

  beforeAll(async () => {
    cluster = await startTestCluster();
    acme = await cluster.createOrganization('Acme Inc.');
  });
  afterAll(() => cluster.stop());

  async function page(path: string) {
    const response = await fetch(`${cluster.baseUrl}${path}`);
    return { response, html: await response.text() };
  }

  it('shows a finalized invoice as HTML without an API key, then paid after /pay', async () => {
    const { id, path } = await finalizedInvoice(acme.live);
    const { response, html } = await page(path);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-robots-tag')).toBe('noindex');
    for (const text of [
      'Acme Inc.',
      'Globex Corp',
      'INV-0001',
      'API calls — Jan 2024',
      'Support plan',
      '$50.00',
      '$30.00',
    ]) {
      expect(html).toContain(text);
    }
    expect(html).toContain('@media print');
    expect(html).toMatch(/Status: Open/);

    expect((await acme.live.post(`/v1/invoices/${id}/pay`)).status).toBe(200);
    expect((await page(path)).html).toMatch(/Status: Paid/);
  });

  it('says plainly that a voided invoice is void', async () => {
    const { id, path } = await finalizedInvoice(acme.live);
    expect((await acme.live.post(`/v1/invoices/${id}/void`)).status).toBe(200);
    const { response, html } = await page(path);
    expect(response.status).toBe(200);
    expect(html).toMatch(/Status: Void/);
    expect(html).toContain('has been voided');
  });

  it('answers unknown and malformed tokens, and drafts, with the same 404 HTML page', async () => {
    const customer = await acme.live.post('/v1/customers', { name: 'Draft Co' });
    const draft = await acme.live.post('/v1/invoices', {
      customer_id: customer.body.customer.id,
      collection_method: 'send_invoice',
      days_until_due: 30,
      line_items: [{ description: 'x', quantity: 1, unit_amount_cents: 100 }],
    });
    expect(draft.body.invoice.public_invoice_url).toBeNull();

    const unknown = await page(`/inv/${'A'.repeat(32)}`);
    const malformed = await page('/inv/not%20a%20token!');
    for (const { response } of [unknown, malformed]) {
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.headers.get('cache-control')).toBe('no-store');
    }
    expect(malformed.html).toBe(unknown.html);
  });

  it('escapes HTML in invoice values', async () => {
    const { path } = await finalizedInvoice(acme.test, '<script>alert(1)</script>');
    const { html } = await page(path);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});
