import { eventually } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

const nul = 'contains a NUL character (\\u0000), which cannot be stored';
const surrogate = 'contains a lone UTF-16 surrogate, which cannot be stored';

/** Text Postgres refuses; JSON.stringify sends both as `\u` escapes, which is how a caller's JSON would carry them. */
const withNul = 'gpt\u00004';
const withLoneSurrogate = 'gpt\ud8004';

describe('text the store cannot hold is refused at the edge', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;
  let customerId: string;

  beforeAll(async () => {
    cluster = await startTestCluster();
    acme = await cluster.createOrganization('Acme Inc.');
    const created = await acme.live.post('/v1/customers', { name: 'Acme Corp' });
    expect(created.status).toBe(201);
    customerId = created.body.customer.id;
  });
  afterAll(() => cluster?.stop());

  const event = (key: string, fields: Record<string, unknown> = {}) => ({
    event_name: 'api.request',
    idempotency_key: key,
    customer_id: customerId,
    timestamp: '2026-01-15T10:30:00Z',
    properties: { tokens: 1, model: 'gpt-4' },
    ...fields,
  });

  it('refuses an ingest batch naming every bad name, key, property value and property name, and stores none of it', async () => {
    const refused = await acme.live.post('/v1/events/ingest', {
      events: [
        event('good'),
        event('bad-name', { event_name: withNul }),
        event(`bad-key-${withLoneSurrogate}`),
        event('bad-value', { properties: { model: withNul } }),
        event('bad-property-name', { properties: { [withLoneSurrogate]: 1 } }),
      ],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('VALIDATION_ERROR');
    expect(refused.body.error.details).toEqual(
      expect.arrayContaining([
        { param: 'events[1].event_name', message: nul },
        { param: 'events[2].idempotency_key', message: surrogate },
        { param: 'events[3].properties.model', message: nul },
        { param: 'events[4].properties["gpt\\ud8004"]', message: `field name ${surrogate}` },
      ]),
    );
    expect(refused.body.error.details).toHaveLength(4);

    // The marker is sent after the refused batch on the customer's partition: once it is stored, anything of that
    // batch would have been too.
    expect((await acme.live.post('/v1/events/ingest', { events: [event('marker')] })).status).toBe(200);
    const stored = await eventually(
      async () => {
        const listed = await acme.live.get(`/v1/events?customer_id=${customerId}`);
        expect(listed.body.events.map((stored: { idempotency_key: string }) => stored.idempotency_key)).toContain(
          'marker',
        );
        return listed.body.events;
      },
      { label: 'marker stored' },
    );
    expect(stored).toHaveLength(1);
    expect((await acme.live.get('/v1/events/rejected')).body.rejected_events).toEqual([]);
  });

  it('refuses a customer, a meter and a plan with such text at once (400, not a 504), creating none', async () => {
    const customer = await acme.live.post('/v1/customers', { name: `Acme${withNul}`, metadata: { tier: withNul } });
    expect(customer.status).toBe(400);
    expect(customer.body.error).toMatchObject({ code: 'VALIDATION_ERROR', param: 'name' });
    expect(customer.body.error.details).toEqual([
      { param: 'name', message: nul },
      { param: 'metadata.tier', message: nul },
    ]);

    const meter = await acme.live.post('/v1/meters', {
      code: 'tokens',
      name: `Tokens${withLoneSurrogate}`,
      event_name: 'llm.completion',
      aggregation: 'sum',
      property: 'tokens',
    });
    expect(meter.status).toBe(400);
    expect(meter.body.error).toMatchObject({ code: 'VALIDATION_ERROR', param: 'name', message: `name: ${surrogate}` });

    const plan = await acme.live.post('/v1/plans', {
      code: 'basic',
      name: 'Basic',
      interval: 'month',
      prices: [{ model: 'flat', description: `Fee${withNul}`, amount_cents: 100, timing: 'in_advance' }],
    });
    expect(plan.status).toBe(400);
    expect(plan.body.error).toMatchObject({ code: 'VALIDATION_ERROR', param: 'prices[0].description' });

    const customers = (await acme.live.get('/v1/customers')).body.customers as Array<{ id: string }>;
    expect(customers.map((listed) => listed.id)).toEqual([customerId]);
    expect((await acme.live.get('/v1/meters/tokens')).status).toBe(404);
    expect((await acme.live.get('/v1/plans/basic')).status).toBe(404);
  });

  it('refuses such text in a query string, naming the parameter', async () => {
    const listed = await acme.live.get(`/v1/events?event_name=${encodeURIComponent(withNul)}`);
    expect(listed.status).toBe(400);
    expect(listed.body.error).toMatchObject({
      code: 'VALIDATION_ERROR',
      param: 'event_name',
      message: `event_name: ${nul}`,
    });
  });

  it('answers 404 for a path holding a NUL, which can name nothing', async () => {
    const apiKeys = await cluster.admin.post(`/v1/admin/organizations/${acme.id}%00/api_keys`, { mode: 'live' });
    expect(apiKeys.status).toBe(404);
    expect(apiKeys.body.error.code).toBe('NOT_FOUND');
  });
});
