import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

const refusal = (param: string) => ({
  success: false,
  error: expect.objectContaining({ code: 'VALIDATION_ERROR', param }),
  request_id: expect.any(String),
});

describe("money on hand-made invoices: bounded, exact, in the currency's minor units", () => {
  let cluster: TestCluster;
  let acme: TestOrganization;
  let customerId: string;

  beforeAll(async () => {
    cluster = await startTestCluster();
    acme = await cluster.createOrganization('Acme Inc.');
    customerId = (await acme.live.post('/v1/customers', { name: 'Ada' })).body.customer.id;
  });
  afterAll(() => cluster?.stop());

  const invoiceBody = (line_items: object[], currency = 'usd') => ({
    customer_id: customerId,
    collection_method: 'charge_automatically',
    currency,
    line_items,
  });
  const invoiceCount = async () => (await acme.live.get(`/v1/invoices?customer_id=${customerId}`)).body.invoices.length;

  it('refuses a line past 10^15 minor units with 400 naming the field, its retry too, and creates nothing', async () => {
    const before = await invoiceCount();
    // 999,999,999 × 10^12 = 9.99999999 × 10^20 minor units: each field within its own limit, the line past 10^15
    const body = invoiceBody([{ description: 'Huge', quantity: 999_999_999, unit_amount_cents: 1e12 }]);
    const headers = { 'Idempotency-Key': 'huge-line' };
    const first = await acme.live.post('/v1/invoices', body, headers);
    expect(first.status).toBe(400);
    expect(first.body).toEqual(refusal('line_items[0].unit_amount_cents'));
    const retry = await acme.live.post('/v1/invoices', body, headers);
    expect(retry.status).toBe(400);
    expect(retry.body.error).toMatchObject({ code: 'VALIDATION_ERROR', param: 'line_items[0].unit_amount_cents' });
    expect(await invoiceCount()).toBe(before);
  });

  it('refuses a line that would take a draft past 10^15 and leaves the draft as it was', async () => {
    // 500 × 10^12 = 5 × 10^14 a line; two lines total 10^15, the bound itself
    const half = { description: 'Half', quantity: 500, unit_amount_cents: 1e12 };
    const created = await acme.live.post('/v1/invoices', invoiceBody([half, half]));
    expect(created.status).toBe(201);
    const draft = created.body.invoice;
    expect(draft.total_cents).toBe(1e15);

    const added = await acme.live.post(`/v1/invoices/${draft.id}/line_items`, { ...half, quantity: 1 });
    expect(added.status).toBe(400); // 10^15 + 10^12
    expect(added.body).toEqual(refusal('unit_amount_cents'));
    const lineId = draft.line_items[0].id;
    const changed = await acme.live.patch(`/v1/invoices/${draft.id}/line_items/${lineId}`, { quantity: 501 });
    expect(changed.status).toBe(400); // 501 × 10^12 + 5 × 10^14 = 10^15 + 10^12
    expect(changed.body).toEqual(refusal('unit_amount_cents'));

    const after = await acme.live.get(`/v1/invoices/${draft.id}`);
    expect(after.status).toBe(200);
    expect(after.body.invoice.line_items).toEqual(draft.line_items);
    expect(after.body.invoice.total_cents).toBe(1e15);
  });

  it('refuses a currency that is not ISO 4217, naming it', async () => {
    const response = await acme.live.post('/v1/invoices', invoiceBody([], 'xyz'));
    expect(response.status).toBe(400);
    expect(response.body).toEqual(refusal('currency'));
  });

  it.each([
    // jpy has no minor unit: 2.5 × ¥333 = ¥832.5 → ¥833 (half up), shown without decimals
    ['jpy', { quantity: 2.5, unit_amount_cents: 333 }, 833, '¥833'],
    // kwd has 3 decimals: 3 × 1,234 fils = 3,702 fils, shown as KWD 3.702
    ['kwd', { quantity: 3, unit_amount_cents: 1234 }, 3702, 'KWD 3.702'],
  ])('prices a %s invoice in its minor units and shows it with them', async (currency, line, total, shown) => {
    const created = await acme.live.post('/v1/invoices', invoiceBody([{ description: 'Work', ...line }], currency));
    expect(created.status).toBe(201);
    expect(created.body.invoice).toMatchObject({ currency, total_cents: total });
    const finalized = await acme.live.post(`/v1/invoices/${created.body.invoice.id}/finalize`);
    expect(finalized.status).toBe(200);
    const page = await fetch(`${cluster.baseUrl}${new URL(finalized.body.invoice.public_invoice_url).pathname}`);
    expect(page.status).toBe(200);
    expect((await page.text()).replace(/\u00a0|&nbsp;|&#160;/g, ' ')).toContain(shown);
  });
});
