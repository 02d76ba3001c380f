import { eventually, type GatewayClient } from '@afternoon/testkit';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

interface Line {
  kind: string;
  description: string;
  quantity: number;
  amount_cents: number;
  period_start: string | null;
  period_end: string | null;
}
interface Invoice {
  id: string;
  status: string;
  billing_reason: string;
  subscription_id: string;
  invoice_number: string;
  total_cents: number;
  created_at: string;
  line_items: Line[];
  public_invoice_url: string;
}

const shown = (invoice: Invoice | undefined) =>
  invoice?.line_items.map((line) => [
    line.kind,
    line.description,
    line.quantity,
    line.amount_cents,
    line.period_start,
    line.period_end,
  ]);

/** Everything a month-long test needs, in clock time, with one hour of grace for late usage (the default). */
describe('test clocks: billing over months, now', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;
  let test: GatewayClient;

  beforeAll(async () => {
    // No billing pass on a timer within the test: advances and subscription changes must wake the run themselves.
    cluster = await startTestCluster({ billingRunIntervalMs: 3_600_000 });
    acme = await cluster.createOrganization('Acme Inc.');
    test = acme.test;
    const meter = { code: 'api_calls', name: 'API calls', event_name: 'api.request', aggregation: 'count' };
    expect((await test.post('/v1/meters', meter)).status).toBe(201);
    const plan = (code: string, platformCents: number, callCents: string) => ({
      code,
      name: code,
      interval: 'month',
      prices: [
        { model: 'flat', description: 'Platform fee', amount_cents: platformCents, timing: 'in_advance' },
        { model: 'per_unit', description: 'API calls', meter_code: 'api_calls', unit_amount: callCents },
      ],
    });
    expect((await test.post('/v1/plans', plan('metered', 4900, '5'))).status).toBe(201);
    expect((await test.post('/v1/plans', plan('scale', 9900, '4'))).status).toBe(201);
  });
  afterAll(() => cluster?.stop());

  async function newClock(frozenTime: string) {
    const created = await test.post('/v1/test_clocks', { frozen_time: frozenTime, name: 'Simulation' });
    expect(created.status).toBe(201);
    expect(created.body.test_clock).toMatchObject({ frozen_time: frozenTime, status: 'ready', name: 'Simulation' });
    return created.body.test_clock.id as string;
  }

  /** Advances and waits until the clock says everything the advance made due is done. */
  async function advance(clockId: string, frozenTime: string) {
    const advanced = await test.post(`/v1/test_clocks/${clockId}/advance`, { frozen_time: frozenTime });
    expect(advanced.status).toBe(200);
    expect(advanced.body.test_clock).toMatchObject({ frozen_time: frozenTime, status: 'advancing' });
    await eventually(
      async () => expect((await test.get(`/v1/test_clocks/${clockId}`)).body.test_clock.status).toBe('ready'),
      { timeout: 30_000, label: `clock ready at ${frozenTime}` },
    );
  }

  const invoicesOf = async (customerId: string): Promise<Invoice[]> =>
    (await test.get(`/v1/invoices?customer_id=${customerId}&limit=100`)).body.invoices;

  async function ingest(customerId: string, events: [key: string, timestamp: string][]) {
    const response = await test.post('/v1/events/ingest', {
      events: events.map(([key, timestamp]) => ({
        event_name: 'api.request',
        idempotency_key: key,
        customer_id: customerId,
        timestamp,
      })),
    });
    expect(response.body, JSON.stringify(response.body.error)).toMatchObject({
      success: true,
      accepted: events.length,
    });
  }

  it('bills two periods by themselves as the clock advances, late usage inside the grace on time and after it next', async () => {
    const clock = await newClock('2027-01-01T00:00:00.000Z');
    const customer = await test.post('/v1/customers', { name: 'Ada', test_clock: clock });
    expect(customer.status).toBe(201);
    expect(customer.body.customer.test_clock).toBe(clock);
    const customerId = customer.body.customer.id;

    // Starts at the clock's time, pending until the billing run starts it; its first invoice bills the first month.
    const subscribed = await test.post('/v1/subscriptions', { customer_id: customerId, plan_code: 'metered' });
    expect(subscribed.status).toBe(201);
    expect(subscribed.body.subscription).toMatchObject({
      start_date: '2027-01-01T00:00:00.000Z',
      current_period_end: '2027-02-01T00:00:00.000Z',
    });
    const subscriptionId = subscribed.body.subscription.id;
    const [opening] = await eventually(
      async () => {
        const found = await invoicesOf(customerId);
        expect(found).toHaveLength(1);
        return found;
      },
      { timeout: 30_000, label: 'the opening invoice' },
    );
    expect(opening).toMatchObject({ status: 'open', billing_reason: 'subscription_start', invoice_number: 'INV-0001' });
    expect(shown(opening)).toEqual([
      ['fee', 'Platform fee', 1, 4900, '2027-01-01T00:00:00.000Z', '2027-02-01T00:00:00.000Z'],
    ]);
    // The invoice is dated by the clock, not by the wall.
    expect(opening?.created_at).toBe('2027-01-01T00:00:00.000Z');

    // Timestamps are held to the clock's time: months past the real now, accepted up to 5 minutes past the clock.
    const ahead = await test.post('/v1/events/ingest', {
      events: [
        {
          event_name: 'api.request',
          idempotency_key: 'ahead',
          customer_id: customerId,
          timestamp: '2027-01-10T00:00:00Z',
        },
      ],
    });
    expect(ahead.status).toBe(400);
    await advance(clock, '2027-01-31T23:45:00.000Z');
    await ingest(customerId, [
      ['jan-2', '2027-01-02T00:00:00Z'],
      ['jan-10', '2027-01-10T00:00:00Z'],
      ['jan-20', '2027-01-20T00:00:00Z'],
      ['jan-31', '2027-01-31T23:00:00Z'],
    ]);

    // Half an hour after the period: inside the hour of grace, nothing is billed yet, and late usage still counts.
    await advance(clock, '2027-02-01T00:30:00.000Z');
    expect((await test.get(`/v1/subscriptions/${subscriptionId}`)).body.subscription).toMatchObject({
      status: 'active',
      current_period_start: '2027-02-01T00:00:00.000Z',
    });
    expect(await invoicesOf(customerId)).toHaveLength(1);
    await ingest(customerId, [
      ['jan-31-late', '2027-01-31T23:30:00Z'],
      ['feb-1', '2027-02-01T00:10:00Z'],
    ]);
    const future = await test.post('/v1/events/ingest', {
      events: [
        { event_name: 'api.request', idempotency_key: 'x', customer_id: customerId, timestamp: '2027-02-01T01:00:00Z' },
      ],
    });
    expect(future.status).toBe(400);
    expect(future.body.error.details?.[0]).toMatchObject({ param: 'events[0].timestamp' });

    // Past the grace: January is billed, once the clock is ready, with the event that came within the grace.
    await advance(clock, '2027-02-01T02:00:00.000Z');
    const january = (await invoicesOf(customerId)).find((invoice) => invoice.billing_reason === 'subscription_cycle');
    expect(january).toMatchObject({ status: 'open', invoice_number: 'INV-0002', subscription_id: subscriptionId });
    expect(shown(january)).toEqual([
      ['fee', 'Platform fee', 1, 4900, '2027-02-01T00:00:00.000Z', '2027-03-01T00:00:00.000Z'],
      // jan-2, jan-10, jan-20, jan-31, jan-31-late: 5 calls × 5¢
      ['usage', 'API calls', 5, 25, '2027-01-01T00:00:00.000Z', '2027-02-01T00:00:00.000Z'],
    ]);
    expect(january?.total_cents).toBe(4925);

    // After January's invoice: a January event is left for the next invoice.
    await ingest(customerId, [['jan-15-after', '2027-01-15T00:00:00Z']]);
    await advance(clock, '2027-02-28T23:00:00.000Z');
    await ingest(customerId, [
      ['feb-10', '2027-02-10T00:00:00Z'],
      ['feb-20', '2027-02-20T00:00:00Z'],
    ]);
    // Exactly the end of February's grace.
    await advance(clock, '2027-03-01T01:00:00.000Z');
    const invoices = await invoicesOf(customerId);
    expect(invoices).toHaveLength(3);
    const february = invoices.find((invoice) => invoice.invoice_number === 'INV-0003');
    expect(shown(february)).toEqual([
      ['fee', 'Platform fee', 1, 4900, '2027-03-01T00:00:00.000Z', '2027-04-01T00:00:00.000Z'],
      // feb-1, feb-10, feb-20: 3 × 5¢
      ['usage', 'API calls', 3, 15, '2027-02-01T00:00:00.000Z', '2027-03-01T00:00:00.000Z'],
      // jan-15-after, received after January's invoice: 1 × 5¢, priced with February's usage
      ['late_usage', 'API calls (late usage)', 1, 5, '2027-02-01T00:00:00.000Z', '2027-03-01T00:00:00.000Z'],
    ]);
    expect(february?.total_cents).toBe(4920);
    // Each usage line lists the events behind it: the late line, exactly the one that came after January's cutoff.
    const eventsOf = async (invoice: Invoice | undefined, kind: string) => {
      const line = invoice?.line_items.find((item) => item.kind === kind) as (Line & { id: string }) | undefined;
      const listed = await test.get(`/v1/invoices/${invoice?.id}/line_items/${line?.id}/events`);
      return listed.body.events.map((event: { idempotency_key: string }) => event.idempotency_key);
    };
    expect(await eventsOf(february, 'late_usage')).toEqual(['jan-15-after']);
    expect(await eventsOf(february, 'usage')).toEqual(['feb-1', 'feb-10', 'feb-20']);
    expect(await eventsOf(january, 'usage')).toEqual(['jan-2', 'jan-10', 'jan-20', 'jan-31', 'jan-31-late']);
    const page = await fetch(`${cluster.baseUrl}${new URL(february?.public_invoice_url ?? 'http://x/').pathname}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('API calls (late usage)');
    expect(html).toContain('<div class="period">2027-02-01 to 2027-03-01</div>');
    const pdf = await fetch(`${cluster.baseUrl}${new URL(february?.public_invoice_url ?? 'http://x/').pathname}.pdf`);
    const text = (
      await extractText(await getDocumentProxy(new Uint8Array(await pdf.arrayBuffer())), { mergePages: true })
    ).text;
    expect(text).toContain('API calls (late usage)');
    expect(text).toContain('2027-03-01 to 2027-04-01');
  });

  it('changes plan now with a prorated credit and a prorated new fee, then cancels at the period end', async () => {
    const clock = await newClock('2027-01-01T00:00:00.000Z');
    const customerId = (await test.post('/v1/customers', { name: 'Grace', test_clock: clock })).body.customer.id;
    const { id } = (
      await test.post('/v1/subscriptions', { customer_id: customerId, plan_code: 'metered', initial_status: 'active' })
    ).body.subscription;
    await advance(clock, '2027-01-16T00:00:00.000Z');
    await ingest(customerId, [['before-change', '2027-01-10T00:00:00Z']]);

    const changed = await test.post(`/v1/subscriptions/${id}/change_plan`, {
      target_plan_code: 'scale',
      change_mode: 'now',
      cancel_now_prepaid_refund_policy: 'refund_prorated',
    });
    expect(changed.status).toBe(200);
    expect(changed.body.old_subscription).toMatchObject({
      status: 'canceled',
      canceled_at: '2027-01-16T00:00:00.000Z',
    });
    const newId = changed.body.new_subscription.id;
    expect(changed.body.new_subscription).toMatchObject({ status: 'active', start_date: '2027-01-16T00:00:00.000Z' });

    await advance(clock, '2027-01-16T02:00:00.000Z');
    const invoices = await invoicesOf(customerId);
    const oldEnd = invoices.find((invoice) => invoice.billing_reason === 'subscription_end');
    expect(oldEnd?.subscription_id).toBe(id);
    expect(shown(oldEnd)).toEqual([
      // 4900¢ paid for January; 15 of its 31 days used earn 4900 × 15/31 = 2370.97¢ → 2371¢: 2529¢ back
      ['credit', 'Unused Platform fee', 1, -2529, '2027-01-16T00:00:00.000Z', '2027-02-01T00:00:00.000Z'],
      // usage so far on the old plan's price: 1 × 5¢
      ['usage', 'API calls', 1, 5, '2027-01-01T00:00:00.000Z', '2027-01-16T00:00:00.000Z'],
    ]);
    const newStart = invoices.find((invoice) => invoice.subscription_id === newId);
    expect(shown(newStart)).toEqual([
      // 9900¢ × 16/31 days = 5109.68¢ → 5110¢
      ['fee', 'Platform fee (prorated)', 1, 5110, '2027-01-16T00:00:00.000Z', '2027-02-01T00:00:00.000Z'],
    ]);

    const canceled = await test.post(`/v1/subscriptions/${newId}/cancel`, { cancel_mode: 'end_of_period' });
    expect(canceled.body.subscription).toMatchObject({ cancel_at: '2027-02-01T00:00:00.000Z', status: 'active' });
    await ingest(customerId, [['after-change', '2027-01-16T01:00:00Z']]);
    await advance(clock, '2027-02-01T02:00:00.000Z');
    expect((await test.get(`/v1/subscriptions/${newId}`)).body.subscription).toMatchObject({
      status: 'canceled',
      canceled_at: '2027-02-01T00:00:00.000Z',
    });
    const final = (await invoicesOf(customerId)).find(
      (invoice) => invoice.subscription_id === newId && invoice.billing_reason === 'subscription_end',
    );
    // Nothing in advance after the end; the usage since the change on the new plan's price: 1 × 4¢
    expect(shown(final)).toEqual([
      ['usage', 'API calls', 1, 4, '2027-01-16T00:00:00.000Z', '2027-02-01T00:00:00.000Z'],
    ]);
    expect(await invoicesOf(customerId)).toHaveLength(4);
  });

  it('changes plan at the period end: the old plan bills its last period, the new one starts then', async () => {
    const clock = await newClock('2027-01-01T00:00:00.000Z');
    const customerId = (await test.post('/v1/customers', { name: 'Linus', test_clock: clock })).body.customer.id;
    const { id } = (
      await test.post('/v1/subscriptions', { customer_id: customerId, plan_code: 'metered', initial_status: 'active' })
    ).body.subscription;
    await advance(clock, '2027-01-10T00:00:00.000Z');
    await ingest(customerId, [['jan-5', '2027-01-05T00:00:00Z']]);
    const changed = await test.post(`/v1/subscriptions/${id}/change_plan`, {
      target_plan_code: 'scale',
      change_mode: 'end_of_period',
    });
    expect(changed.status).toBe(200);
    expect(changed.body.old_subscription).toMatchObject({ status: 'active', cancel_at: '2027-02-01T00:00:00.000Z' });
    expect(changed.body.new_subscription).toMatchObject({ status: 'pending', start_date: '2027-02-01T00:00:00.000Z' });
    const newId = changed.body.new_subscription.id;

    await advance(clock, '2027-02-01T02:00:00.000Z');
    expect((await test.get(`/v1/subscriptions/${id}`)).body.subscription).toMatchObject({
      status: 'canceled',
      canceled_at: '2027-02-01T00:00:00.000Z',
    });
    expect((await test.get(`/v1/subscriptions/${newId}`)).body.subscription.status).toBe('active');
    const invoices = await invoicesOf(customerId);
    const oldEnd = invoices.find(
      (invoice) => invoice.subscription_id === id && invoice.billing_reason === 'subscription_end',
    );
    // January's usage on the old price; no fee in advance, the old plan has ended
    expect(shown(oldEnd)).toEqual([
      ['usage', 'API calls', 1, 5, '2027-01-01T00:00:00.000Z', '2027-02-01T00:00:00.000Z'],
    ]);
    const newStart = invoices.find((invoice) => invoice.subscription_id === newId);
    // A whole month of the new plan in advance: it starts on the anchor day, nothing to prorate
    expect(shown(newStart)).toEqual([
      ['fee', 'Platform fee', 1, 9900, '2027-02-01T00:00:00.000Z', '2027-03-01T00:00:00.000Z'],
    ]);
  });

  it("dates a clock customer's hand-made invoice by the clock", async () => {
    const clock = await newClock('2027-04-01T12:00:00.000Z');
    const customerId = (await test.post('/v1/customers', { name: 'Margaret', test_clock: clock })).body.customer.id;
    const created = await test.post('/v1/invoices', {
      customer_id: customerId,
      collection_method: 'send_invoice',
      days_until_due: 30,
      line_items: [{ description: 'Setup', quantity: 1, unit_amount_cents: 10_000 }],
    });
    expect(created.body.invoice.created_at).toBe('2027-04-01T12:00:00.000Z');
    const finalized = await test.post(`/v1/invoices/${created.body.invoice.id}/finalize`);
    expect(finalized.body.invoice).toMatchObject({
      due_date: '2027-05-01',
      status_transitions: { finalized_at: '2027-04-01T12:00:00.000Z' },
    });
  });

  it("checks a test-mode batch of a thousand customers' events against their clocks in one go", async () => {
    const clock = await newClock('2027-09-01T00:00:00.000Z');
    const onClock = (await test.post('/v1/customers', { name: 'Clocked', test_clock: clock })).body.customer.id;
    const offClock = (await test.post('/v1/customers', { name: 'Wall clock' })).body.customer.id;
    const strangers = Array.from({ length: 998 }, (_, n) => `cm${String(n).padStart(23, '0')}`);
    const events = [onClock, offClock, ...strangers].map((customer_id, n) => ({
      event_name: 'api.request',
      idempotency_key: `batch-${n}`,
      customer_id,
      timestamp: '2027-08-31T23:59:00Z',
    }));
    const refused = await test.post('/v1/events/ingest', { events });
    expect(refused.status).toBe(400);
    const problems = refused.body.error.details as { param: string; message: string }[];
    // The clock's customer is fine at its clock's time; the other is a year and more ahead of the wall.
    expect(problems.filter((problem) => problem.param.startsWith('events[0]'))).toEqual([]);
    expect(problems).toContainEqual({ param: 'events[1].timestamp', message: 'is more than 5 minutes in the future' });
    expect(problems.filter((problem) => problem.message === 'no such customer')).toHaveLength(998);
  });

  it('keeps clocks to test mode, moves them forward only, and hides them from other organizations', async () => {
    const live = await acme.live.post('/v1/test_clocks', { frozen_time: '2027-01-01T00:00:00Z' });
    expect(live.status).toBe(403);
    expect(live.body.error.code).toBe('FORBIDDEN');
    const clock = await newClock('2027-06-01T00:00:00.000Z');
    const backwards = await test.post(`/v1/test_clocks/${clock}/advance`, { frozen_time: '2027-05-01T00:00:00Z' });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error).toMatchObject({ code: 'VALIDATION_ERROR', param: 'frozen_time' });
    const stranger = await cluster.createOrganization('Globex');
    expect((await stranger.test.get(`/v1/test_clocks/${clock}`)).status).toBe(404);
    expect((await stranger.test.get('/v1/test_clocks')).body).toMatchObject({ success: true, test_clocks: [] });
    const firstPage = await test.get('/v1/test_clocks?limit=1');
    expect(firstPage.body.test_clocks.map((listed: { id: string }) => listed.id)).toEqual([clock]);
    expect(firstPage.body.pagination.has_more).toBe(true);
    const secondPage = await test.get(`/v1/test_clocks?limit=1&cursor=${firstPage.body.pagination.next_cursor}`);
    expect(secondPage.body.test_clocks[0].id).not.toBe(clock);
    expect((await test.get('/v1/test_clocks?limit=0')).status).toBe(400);
    expect((await acme.live.get('/v1/test_clocks')).status).toBe(403);
    const foreignCustomer = await stranger.test.post('/v1/customers', { name: 'Eve', test_clock: clock });
    expect(foreignCustomer.status).toBe(404);
    expect(foreignCustomer.body.error.param).toBe('test_clock');
    const liveCustomer = await acme.live.post('/v1/customers', { name: 'Eve', test_clock: clock });
    expect(liveCustomer.status).toBe(403);
  });

  it("bills after the organization's own grace period, set in its billing settings", async () => {
    const initech = await cluster.createOrganization('Initech');
    const client = initech.test;
    expect((await client.get('/v1/billing_settings')).body).toMatchObject({
      success: true,
      billing_settings: { invoice_grace_period_seconds: 3600, updated_at: null },
    });
    const bad = await client.patch('/v1/billing_settings', { invoice_grace_period_seconds: -1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.param).toBe('invoice_grace_period_seconds');
    const set = await client.patch('/v1/billing_settings', { invoice_grace_period_seconds: 600 });
    expect(set.status).toBe(200);
    expect(set.body.billing_settings.invoice_grace_period_seconds).toBe(600);
    expect((await client.get('/v1/billing_settings')).body.billing_settings.invoice_grace_period_seconds).toBe(600);
    // Per organization and mode: live mode and other organizations keep the default.
    expect((await initech.live.get('/v1/billing_settings')).body.billing_settings.invoice_grace_period_seconds).toBe(
      3600,
    );
    expect((await test.get('/v1/billing_settings')).body.billing_settings.invoice_grace_period_seconds).toBe(3600);

    const plan = {
      code: 'flat',
      name: 'Flat',
      interval: 'month',
      prices: [{ model: 'flat', description: 'Support', amount_cents: 1500, timing: 'in_arrears' }],
    };
    expect((await client.post('/v1/plans', plan)).status).toBe(201);
    const clock = (await client.post('/v1/test_clocks', { frozen_time: '2027-01-01T00:00:00Z' })).body.test_clock.id;
    const customerId = (await client.post('/v1/customers', { name: 'Peter', test_clock: clock })).body.customer.id;
    await client.post('/v1/subscriptions', { customer_id: customerId, plan_code: 'flat', initial_status: 'active' });
    const advanceTo = async (frozenTime: string) => {
      expect((await client.post(`/v1/test_clocks/${clock}/advance`, { frozen_time: frozenTime })).status).toBe(200);
      await eventually(
        async () => expect((await client.get(`/v1/test_clocks/${clock}`)).body.test_clock.status).toBe('ready'),
        { timeout: 30_000, label: `clock ready at ${frozenTime}` },
      );
    };
    const invoices = async () => (await client.get(`/v1/invoices?customer_id=${customerId}`)).body.invoices;
    // Nine minutes after the period: still inside ten minutes of grace.
    await advanceTo('2027-02-01T00:09:00Z');
    expect(await invoices()).toHaveLength(0);
    await advanceTo('2027-02-01T00:10:00Z');
    expect((await invoices()).map((invoice: Invoice) => invoice.total_cents)).toEqual([1500]);
  });
});
