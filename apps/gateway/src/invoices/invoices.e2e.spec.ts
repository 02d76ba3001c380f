import type { GatewayClient } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

const idFormat = /^[a-z][a-z0-9]{24}$/;
const requestIdFormat = /^req_[A-Za-z0-9_-]+$/;
const publicUrl = 'http://localhost:3000';

describe('invoices through the gateway', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;
  let globex: TestOrganization;

  beforeAll(async () => {
    cluster = await startTestCluster();
    acme = await cluster.createOrganization('Acme Inc.');
    globex = await cluster.createOrganization('Globex');
  });
  afterAll(() => cluster.stop());

  async function createCustomer(client: GatewayClient, name = 'Acme Corp'): Promise<string> {
    const created = await client.post('/v1/customers', { name, email: 'billing@acme.com' });
    expect(created.status).toBe(201);
    return created.body.customer.id;
  }

  async function createDraft(client: GatewayClient, customerId?: string, lines: unknown[] = [fiftyDollars()]) {
    const created = await client.post('/v1/invoices', {
      customer_id: customerId ?? (await createCustomer(client)),
      collection_method: 'send_invoice',
      days_until_due: 30,
      line_items: lines,
    });
    expect(created.status).toBe(201);
    return created.body.invoice as { id: string; [field: string]: unknown };
  }

  it('runs the quickstart: create a customer, a draft invoice, and finalize it', async () => {
    const customer = await acme.live.post('/v1/customers', {
      name: 'Acme Corp',
      email: 'billing@acme.com',
      external_id: 'cust_123',
    });
    expect(customer.status).toBe(201);
    const customerId = customer.body.customer.id;

    const created = await acme.live.post('/v1/invoices', {
      customer_id: customerId,
      collection_method: 'send_invoice',
      days_until_due: 30,
      line_items: [{ description: 'API calls — Jan 2024', quantity: 1, unit_amount_cents: 5000 }],
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      success: true,
      invoice: {
        id: expect.stringMatching(idFormat),
        customer_id: customerId,
        subscription_id: null,
        billing_reason: 'manual',
        customer_name: 'Acme Corp',
        customer_email: 'billing@acme.com',
        status: 'draft',
        collection_method: 'send_invoice',
        currency: 'usd',
        invoice_number: null,
        memo: null,
        metadata: {},
        line_items: [
          {
            id: expect.stringMatching(idFormat),
            kind: 'manual',
            description: 'API calls — Jan 2024',
            quantity: 1,
            unit_amount_cents: 5000,
            amount_cents: 5000,
            price_id: null,
            period_start: null,
            period_end: null,
            meter_code: null,
          },
        ],
        subtotal_cents: 5000,
        total_cents: 5000,
        amount_paid_cents: 0,
        amount_due_cents: 5000,
        amount_refunded_cents: 0,
        days_until_due: 30,
        due_date: null,
        public_invoice_url: null,
        status_transitions: { finalized_at: null, paid_at: null, voided_at: null, marked_uncollectible_at: null },
        created_at: expect.any(String),
        updated_at: expect.any(String),
      },
      request_id: expect.stringMatching(requestIdFormat),
    });

    const invoiceId = created.body.invoice.id;
    const finalized = await acme.live.post(`/v1/invoices/${invoiceId}/finalize`);
    expect(finalized.status).toBe(200);
    expect(finalized.body.success).toBe(true);
    const invoice = finalized.body.invoice;
    expect(invoice).toMatchObject({ id: invoiceId, status: 'open', invoice_number: 'INV-0001', total_cents: 5000 });
    expect(invoice.public_invoice_url).toMatch(new RegExp(`^${publicUrl}/inv/[A-Za-z0-9_-]{32}$`));
    const finalizedAt = new Date(invoice.status_transitions.finalized_at);
    const due = new Date(finalizedAt);
    due.setUTCDate(due.getUTCDate() + 30);
    expect(invoice.due_date).toBe(due.toISOString().slice(0, 10));

    const fetched = await acme.live.get(`/v1/invoices/${invoiceId}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body.invoice).toEqual(invoice);
  });

  it('allows exactly the documented status transitions, and refuses the rest with 409 INVALID_STATE', async () => {
    const client = acme.test;
    const customerId = await createCustomer(client);
    const inStatus = async (status: 'draft' | 'open' | 'paid' | 'void' | 'uncollectible') => {
      const invoice = await createDraft(client, customerId);
      const path = `/v1/invoices/${invoice.id}`;
      if (status === 'draft') return path;
      expect((await client.post(`${path}/finalize`)).status).toBe(200);
      if (status === 'paid') expect((await client.post(`${path}/pay`)).status).toBe(200);
      if (status === 'void') expect((await client.post(`${path}/void`)).status).toBe(200);
      if (status === 'uncollectible') expect((await client.post(`${path}/mark_uncollectible`)).status).toBe(200);
      return path;
    };
    const transitions = [
      ['draft', 'finalize', 'open'],
      ['draft', 'pay', null],
      ['draft', 'void', null],
      ['draft', 'mark_uncollectible', null],
      ['open', 'finalize', null],
      ['open', 'pay', 'paid'],
      ['open', 'void', 'void'],
      ['open', 'mark_uncollectible', 'uncollectible'],
      ['uncollectible', 'finalize', null],
      ['uncollectible', 'pay', 'paid'],
      ['uncollectible', 'void', 'void'],
      ['uncollectible', 'mark_uncollectible', null],
      ['paid', 'finalize', null],
      ['paid', 'pay', null],
      ['paid', 'void', null],
      ['paid', 'mark_uncollectible', null],
      ['void', 'finalize', null],
      ['void', 'pay', null],
      ['void', 'void', null],
      ['void', 'mark_uncollectible', null],
    ] as const;
    for (const [from, action, to] of transitions) {
      const path = await inStatus(from);
      const response = await client.post(`${path}/${action}`);
      if (to) {
        expect(response.status, `${from} → ${action}`).toBe(200);
        expect(response.body.invoice.status).toBe(to);
      } else {
        expect(response.status, `${from} → ${action}`).toBe(409);
        expect(response.body.error.code).toBe('INVALID_STATE');
        expect(response.body.error.message).toContain(`'${from}'`);
      }
    }

    const paid = await client.get(`${await inStatus('paid')}`);
    expect(paid.body.invoice).toMatchObject({ amount_paid_cents: 5000, amount_due_cents: 0 });
    expect(paid.body.invoice.status_transitions.paid_at).toEqual(expect.any(String));

    const open = await inStatus('open');
    for (const [method, suffix, body] of [
      ['post', '/line_items', fiftyDollars()],
      ['patch', '', { memo: 'late' }],
      ['delete', '', undefined],
    ] as const) {
      const response =
        method === 'delete' ? await client.delete(`${open}${suffix}`) : await client[method](`${open}${suffix}`, body);
      expect(response.status, `${method} ${suffix} on open`).toBe(409);
      expect(response.body.error.code).toBe('INVALID_STATE');
    }
  });

  it('edits a draft: line items added, changed and removed, terms patched, and the draft deleted', async () => {
    const client = acme.live;
    const invoice = await createDraft(client);
    const path = `/v1/invoices/${invoice.id}`;

    const added = await client.post(`${path}/line_items`, {
      description: 'Seats',
      quantity: '2.5',
      unit_amount_cents: 3,
    });
    expect(added.status).toBe(200);
    const seats = added.body.invoice.line_items[1];
    expect(seats).toMatchObject({ quantity: 2.5, unit_amount_cents: 3, amount_cents: 8 }); // 7.5 → 8
    expect(added.body.invoice.total_cents).toBe(5008); // 5000 + 8

    const changed = await client.patch(`${path}/line_items/${seats.id}`, { quantity: 10 });
    expect(changed.body.invoice.line_items[1]).toMatchObject({ quantity: 10, amount_cents: 30 });
    expect(changed.body.invoice.total_cents).toBe(5030); // 5000 + 10 × 3

    const removed = await client.delete(`${path}/line_items/${seats.id}`);
    expect(removed.body.invoice.line_items).toHaveLength(1);
    expect(removed.body.invoice.total_cents).toBe(5000);
    expect((await client.delete(`${path}/line_items/${seats.id}`)).status).toBe(404);

    const patched = await client.patch(path, { memo: 'Thanks!', metadata: { po: '42' } });
    expect(patched.body.invoice).toMatchObject({ memo: 'Thanks!', metadata: { po: '42' } });
    const refused = await client.patch(path, { collection_method: 'charge_automatically' });
    expect(refused.status).toBe(400);
    const switched = await client.patch(path, { collection_method: 'charge_automatically', days_until_due: null });
    expect(switched.body.invoice).toMatchObject({ collection_method: 'charge_automatically', days_until_due: null });

    const deleted = await client.delete(path);
    expect(deleted.body.invoice).toEqual({ id: invoice.id, deleted: true });
    expect((await client.get(path)).status).toBe(404);
  });

  it('rounds fractional quantities half-up to a whole cent on each line', async () => {
    const invoice = await createDraft(acme.live, undefined, [
      { description: 'a', quantity: 1.5, unit_amount_cents: 333 }, // 499.5 → 500
      { description: 'b', quantity: '0.333333', unit_amount_cents: 100 }, // 33.3333 → 33
      { description: 'c', quantity: '1.005', unit_amount_cents: 100 }, // 100.5 → 101
      { description: 'd', quantity: '0.25', unit_amount_cents: 1 }, // 0.25 → 0
    ]);
    expect((invoice.line_items as { amount_cents: number }[]).map((line) => line.amount_cents)).toEqual([
      500, 33, 101, 0,
    ]);
    expect(invoice.subtotal_cents).toBe(634); // 500 + 33 + 101 + 0
    expect(invoice.total_cents).toBe(634);
  });

  it('validates the body, reporting every problem', async () => {
    const customerId = await createCustomer(acme.live);
    const response = await acme.live.post('/v1/invoices', {
      customer_id: customerId,
      collection_method: 'charge_automatically',
      days_until_due: 30,
      currency: 'USD',
      line_items: [{ description: 'x', quantity: 0, unit_amount_cents: 1.5 }],
      surprise: true,
    });
    expect(response.status).toBe(400);
    const params = response.body.error.details.map((problem: { param: string }) => problem.param);
    expect(params).toEqual(
      expect.arrayContaining(['currency', 'line_items[0].quantity', 'line_items[0].unit_amount_cents', 'surprise']),
    );
    const missing = await acme.live.post('/v1/invoices', {
      customer_id: customerId,
      collection_method: 'send_invoice',
    });
    expect(missing.status).toBe(400);
  });

  it('gives 20 concurrent finalizes in one organization 20 distinct consecutive numbers', async () => {
    const org = await cluster.createOrganization('Concurrent Co');
    const customerId = await createCustomer(org.live);
    const drafts = await Promise.all(Array.from({ length: 20 }, () => createDraft(org.live, customerId)));
    const finalized = await Promise.all(drafts.map((draft) => org.live.post(`/v1/invoices/${draft.id}/finalize`)));
    const numbers = finalized.map((response) => {
      expect(response.status).toBe(200);
      return response.body.invoice.invoice_number as string;
    });
    expect(numbers.sort()).toEqual(
      Array.from({ length: 20 }, (_, index) => `INV-${String(index + 1).padStart(4, '0')}`),
    );
    const urls = new Set(finalized.map((response) => response.body.invoice.public_invoice_url));
    expect(urls.size).toBe(20);
  });

  it('numbers invoices separately per organization and per mode', async () => {
    const first = await cluster.createOrganization('Numbering One');
    const second = await cluster.createOrganization('Numbering Two');
    const finalizeOne = async (client: GatewayClient) => {
      const draft = await createDraft(client);
      return (await client.post(`/v1/invoices/${draft.id}/finalize`)).body.invoice.invoice_number;
    };
    expect(await finalizeOne(first.live)).toBe('INV-0001');
    expect(await finalizeOne(first.live)).toBe('INV-0002');
    expect(await finalizeOne(first.test)).toBe('INV-0001');
    expect(await finalizeOne(second.live)).toBe('INV-0001');
    expect(await finalizeOne(first.test)).toBe('INV-0002');
  });

  it('shows the customer as they were at finalization', async () => {
    const customerId = await createCustomer(acme.live, 'Before Rename');
    const draft = await createDraft(acme.live, customerId);
    expect(draft.customer_name).toBe('Before Rename');
    expect((await acme.live.patch(`/v1/customers/${customerId}`, { name: 'Renamed' })).status).toBe(200);
    const finalized = await acme.live.post(`/v1/invoices/${draft.id}/finalize`);
    expect(finalized.body.invoice.customer_name).toBe('Renamed');

    expect((await acme.live.patch(`/v1/customers/${customerId}`, { name: 'Renamed Again' })).status).toBe(200);
    const later = await createDraft(acme.live, customerId);
    expect(later.customer_name).toBe('Renamed Again');
    expect((await acme.live.get(`/v1/invoices/${draft.id}`)).body.invoice.customer_name).toBe('Renamed');
  });

  it('refuses an unknown customer with 404 naming customer_id', async () => {
    const unknown = 'cm5x9z8nv0000h85r7l9p2k1m';
    const response = await acme.live.post('/v1/invoices', {
      customer_id: unknown,
      collection_method: 'charge_automatically',
      line_items: [fiftyDollars()],
    });
    expect(response.status).toBe(404);
    expect(response.body.error).toMatchObject({
      code: 'NOT_FOUND',
      message: `No such customer: '${unknown}'`,
      param: 'customer_id',
    });
  });

  it("keeps each organization's and mode's invoices to itself", async () => {
    const invoice = await createDraft(acme.live);
    const path = `/v1/invoices/${invoice.id}`;
    expect((await globex.live.get(path)).status).toBe(404);
    expect((await acme.test.get(path)).status).toBe(404);
    expect((await globex.live.post(`${path}/finalize`)).status).toBe(404);
    const acmeCustomer = await createCustomer(acme.live);
    const crossTenant = await globex.live.post('/v1/invoices', {
      customer_id: acmeCustomer,
      collection_method: 'charge_automatically',
    });
    expect(crossTenant.status).toBe(404);
    const listed = await globex.live.get('/v1/invoices');
    expect(listed.body.invoices.map((item: { id: string }) => item.id)).not.toContain(invoice.id);
  });

  it('lists invoices newest first, filtered by customer and status, page by page', async () => {
    const org = await cluster.createOrganization('Listing Co');
    const customerId = await createCustomer(org.live);
    const other = await createCustomer(org.live, 'Other');
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) ids.push((await createDraft(org.live, customerId)).id);
    await createDraft(org.live, other);
    await org.live.post(`/v1/invoices/${ids[0]}/finalize`);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/v1/invoices?customer_id=${customerId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await org.live.get(query);
      expect(page.status).toBe(200);
      seen.push(...page.body.invoices.map((item: { id: string }) => item.id));
      cursor = page.body.pagination.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    const open = await org.live.get('/v1/invoices?status=open');
    expect(open.body.invoices.map((item: { id: string }) => item.id)).toEqual([ids[0]]);
  });

  it('invoices a customer created in the previous request, a hundred times in a row', async () => {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const customer = await acme.live.post('/v1/customers', { name: `Fresh ${attempt}` });
      expect(customer.status).toBe(201);
      const invoice = await acme.live.post('/v1/invoices', {
        customer_id: customer.body.customer.id,
        collection_method: 'charge_automatically',
        line_items: [fiftyDollars()],
      });
      expect(invoice.status, `attempt ${attempt}`).toBe(201);
      expect(invoice.body.invoice.customer_name).toBe(`Fresh ${attempt}`);
    }
  }, 120_000);
});

function fiftyDollars() {
  return { description: 'API calls — Jan 2024', quantity: 1, unit_amount_cents: 5000 };
}
