import { eventually } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthsLater } from '../../test/calendar';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

const hour = 60 * 60 * 1000;

/**
 * A start whose first monthly period ends a few seconds from now. A day later when the month before is too short
 * to hold the end's day (its start would be clamped, and the period would not end there).
 */
function startOfPeriodEndingSoon(): Date {
  for (let end = new Date(Math.ceil((Date.now() + 5000) / 1000) * 1000); ; end = new Date(end.getTime() + 24 * hour)) {
    const start = monthsLater(end, -1);
    if (monthsLater(start, 1).getTime() === end.getTime()) return start;
  }
}

const plan = {
  code: 'metered',
  name: 'Metered',
  interval: 'month',
  prices: [
    { model: 'flat', description: 'Support', amount_cents: 1500, timing: 'in_arrears' },
    { model: 'per_unit', description: 'API calls', meter_code: 'api_calls', unit_amount: '10' },
    { model: 'per_unit', description: 'Tokens', meter_code: 'tokens', unit_amount: '1' },
    { model: 'per_unit', description: 'Writes', meter_code: 'writes', unit_amount: '3' },
  ],
};

interface Line {
  id: string;
  kind: string;
  description: string;
  quantity: number;
  amount_cents: number;
  meter_code: string | null;
}

interface Event {
  idempotency_key: string;
  event_name: string;
  customer_id: string;
  timestamp: string;
  received_at: string;
  properties: Record<string, unknown>;
  value: string | null;
}

describe('the usage events behind an invoice line', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;
  let globex: TestOrganization;
  let customerId: string;
  let invoiceId: string;
  let lines: Line[];
  let ingested: Omit<Event, 'received_at' | 'value'>[];

  const lineNamed = (description: string) => {
    const line = lines.find((candidate) => candidate.description === description);
    if (!line) throw new Error(`no line '${description}' in ${JSON.stringify(lines)}`);
    return line;
  };
  const eventsPath = (lineId: string, query = '') => `/v1/invoices/${invoiceId}/line_items/${lineId}/events${query}`;

  /** Every page of a line's events at `limit` a page, checking each page's envelope on the way. */
  const allPages = async (lineId: string, limit: number) => {
    const pages: Event[][] = [];
    let cursor: string | null = null;
    do {
      const query: string = `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const response = await acme.live.get(eventsPath(lineId, query));
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ success: true, request_id: expect.any(String) });
      pages.push(response.body.events);
      cursor = response.body.pagination.has_more ? response.body.pagination.next_cursor : null;
      if (cursor === null) expect(response.body.pagination).toEqual({ has_more: false, next_cursor: null });
    } while (cursor !== null);
    return pages;
  };

  beforeAll(async () => {
    // One second of grace: the first period is billed a second after it ends, a few seconds from now.
    cluster = await startTestCluster({ billingGracePeriodSeconds: 1 });
    acme = await cluster.createOrganization('Acme Inc.');
    globex = await cluster.createOrganization('Globex');
    const meters = [
      { code: 'api_calls', name: 'API calls', event_name: 'api.request', aggregation: 'count' },
      {
        code: 'tokens',
        name: 'Tokens',
        event_name: 'api.request',
        aggregation: 'sum',
        property: 'tokens',
        group_by: ['model'],
      },
      { code: 'writes', name: 'Writes', event_name: 'storage.write', aggregation: 'count', group_by: ['bucket'] },
    ];
    for (const meter of meters) expect((await acme.live.post('/v1/meters', meter)).status).toBe(201);
    expect((await acme.live.post('/v1/plans', plan)).status).toBe(201);
    customerId = (await acme.live.post('/v1/customers', { name: 'Ada' })).body.customer.id;

    const start = startOfPeriodEndingSoon();
    const subscription = await acme.live.post('/v1/subscriptions', {
      customer_id: customerId,
      plan_code: 'metered',
      start_date: start.toISOString(),
      initial_status: 'active',
    });
    expect(subscription.status).toBe(201);
    expect(subscription.body.subscription.current_period_end).toBe(monthsLater(start, 1).toISOString());

    const call = (n: number, hours: number, model: string, tokens: number, eventName = 'api.request') => ({
      event_name: eventName,
      idempotency_key: `evt_${n}`,
      customer_id: customerId,
      timestamp: new Date(start.getTime() + hours * hour).toISOString(),
      properties: { model, tokens },
    });
    // Not in timestamp order, so the listing's order is its own.
    ingested = [
      call(1, 30, 'gpt-4', 80),
      call(2, 2, 'gpt-3.5', 40),
      call(3, 5, 'gpt-4', 70.5),
      call(4, 1, 'gpt-4', 10),
      call(5, 48, 'gpt-3.5', 30),
    ];
    const ignored = [
      // An hour before the period starts, and an event no meter counts.
      call(6, -1, 'gpt-4', 1000),
      call(7, 3, 'gpt-4', 1000, 'api.other'),
    ];
    const ingest = await acme.live.post('/v1/events/ingest', { events: [...ingested, ...ignored] });
    expect(ingest.body).toMatchObject({ success: true, accepted: 7 });
    // 101 buckets, one more than an invoice shows of a price: 100 of 2 writes each, and one of a single write.
    const write = (n: number, bucket: string) => ({
      event_name: 'storage.write',
      idempotency_key: `write_${n}`,
      customer_id: customerId,
      timestamp: new Date(start.getTime() + hour).toISOString(),
      properties: { bucket },
    });
    const writes = Array.from({ length: 200 }, (_, n) => write(n, `b${String(n % 100).padStart(3, '0')}`));
    const written = await acme.live.post('/v1/events/ingest', { events: [...writes, write(200, 'z-small')] });
    expect(written.body).toMatchObject({ success: true, accepted: 201 });

    const invoice = await eventually(
      async () => {
        const { invoices } = (await acme.live.get(`/v1/invoices?customer_id=${customerId}`)).body;
        const cycle = invoices.find(
          (found: { billing_reason: string }) => found.billing_reason === 'subscription_cycle',
        );
        expect(cycle).toBeDefined();
        return cycle;
      },
      { timeout: 60_000, label: 'the invoice of the first period' },
    );
    invoiceId = invoice.id;
    lines = invoice.line_items;
  });
  afterAll(() => cluster?.stop());

  const inTimestampOrder = (events: typeof ingested) =>
    [...events].sort((a, b) => a.timestamp.localeCompare(b.timestamp)).map((event) => event.idempotency_key);

  it("lists every event a count meter's line billed, oldest first, two a page", async () => {
    const line = lineNamed('API calls');
    expect(line).toMatchObject({ kind: 'usage', meter_code: 'api_calls' });
    const pages = await allPages(line.id, 2);
    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    const events = pages.flat();
    expect(events.map((event) => event.idempotency_key)).toEqual(inTimestampOrder(ingested));
    const first = ingested.find((event) => event.idempotency_key === 'evt_4');
    expect(events[0]).toEqual({ ...first, received_at: expect.any(String), value: null });
  });

  it("lists only the events of a grouped meter's line's group, with the values it summed", async () => {
    const gpt4 = lineNamed('Tokens (model: gpt-4)');
    expect(gpt4).toMatchObject({ kind: 'usage', meter_code: 'tokens' });
    const pages = await allPages(gpt4.id, 2);
    expect(pages.map((page) => page.length)).toEqual([2, 1]);
    expect(pages.flat().map((event) => [event.idempotency_key, event.value])).toEqual([
      ['evt_4', '10'],
      ['evt_3', '70.5'],
      ['evt_1', '80'],
    ]);

    const gpt35 = await acme.live.get(eventsPath(lineNamed('Tokens (model: gpt-3.5)').id));
    expect(gpt35.body.events.map((event: Event) => [event.idempotency_key, event.value])).toEqual([
      ['evt_2', '40'],
      ['evt_5', '30'],
    ]);
    expect(gpt35.body.pagination).toEqual({ has_more: false, next_cursor: null });
  });

  it('answers 409 INVALID_STATE for a line that bills no usage: a fee, or a hand-written line', async () => {
    const fee = lineNamed('Support');
    const response = await acme.live.get(eventsPath(fee.id));
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({
      success: false,
      error: { code: 'INVALID_STATE', message: expect.stringContaining(`line item ${fee.id} bills no usage events`) },
    });

    const manual = await acme.live.post('/v1/invoices', {
      customer_id: customerId,
      collection_method: 'charge_automatically',
      line_items: [{ description: 'Setup', quantity: 1, unit_amount_cents: 5000 }],
    });
    expect(manual.status).toBe(201);
    const { id, line_items } = manual.body.invoice;
    const manualLine = await acme.live.get(`/v1/invoices/${id}/line_items/${line_items[0].id}/events`);
    expect(manualLine.status).toBe(409);
    expect(manualLine.body.error.code).toBe('INVALID_STATE');
  });

  it("sums the groups past 100 into one line, whose events are not listed: it points at the groups' usage", async () => {
    const buckets = lines.filter((line) => line.description.startsWith('Writes (bucket: '));
    expect(buckets).toHaveLength(100);
    // 2 writes × 3¢ each
    expect(buckets.every((line) => line.quantity === 2 && line.amount_cents === 6)).toBe(true);
    const others = lineNamed('Writes (1 other group)');
    // the z-small bucket's one write at 3¢
    expect(others).toMatchObject({ kind: 'usage', meter_code: 'writes', quantity: 1, amount_cents: 3 });
    const response = await acme.live.get(eventsPath(others.id));
    expect(response.status).toBe(409);
    expect(response.body.error).toMatchObject({
      code: 'INVALID_STATE',
      message: expect.stringContaining(`line item ${others.id} sums one group of meter 'writes'`),
    });
  });

  it('answers 404 for an unknown invoice or line item, naming the path parameter', async () => {
    const unknownId = `z${'0'.repeat(24)}`;
    const lineId = lineNamed('API calls').id;
    for (const [path, param] of [
      [`/v1/invoices/${unknownId}/line_items/${lineId}/events`, 'id'],
      [`/v1/invoices/not-an-id/line_items/${lineId}/events`, 'id'],
      [eventsPath(unknownId), 'line_item_id'],
      [eventsPath('not-an-id'), 'line_item_id'],
    ] as const) {
      const response = await acme.live.get(path);
      expect(response.status, path).toBe(404);
      expect(response.body.error, path).toMatchObject({ code: 'NOT_FOUND', param });
    }
  });

  it("answers 404 for another organization's invoice, or another mode's", async () => {
    for (const stranger of [globex.live, acme.test]) {
      const response = await stranger.get(eventsPath(lineNamed('API calls').id));
      expect(response.status).toBe(404);
      expect(response.body.error).toMatchObject({ code: 'NOT_FOUND', param: 'id' });
    }
  });

  it('answers 400 VALIDATION_ERROR for a bad query, naming the parameter', async () => {
    const lineId = lineNamed('API calls').id;
    for (const [query, param] of [
      ['?limit=501', 'limit'],
      ['?limit=0', 'limit'],
      ['?limit=ten', 'limit'],
      ['?meter=tokens', 'meter'],
    ] as const) {
      const response = await acme.live.get(eventsPath(lineId, query));
      expect(response.status, query).toBe(400);
      expect(response.body.error, query).toMatchObject({ code: 'VALIDATION_ERROR', param });
    }
    expect((await acme.live.get(eventsPath(lineId, '?limit=500'))).body.events).toHaveLength(5);
  });
});
