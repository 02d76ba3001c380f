import { eventually } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

const requestIdFormat = /^req_[A-Za-z0-9_-]+$/;

describe('usage events through the gateway', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;
  let globex: TestOrganization;

  beforeAll(async () => {
    cluster = await startTestCluster();
    acme = await cluster.createOrganization('Acme Inc.');
    globex = await cluster.createOrganization('Globex');
  });
  afterAll(() => cluster.stop());

  const createCustomer = async (organization: TestOrganization, name = 'Acme Corp') => {
    const created = await organization.live.post('/v1/customers', { name });
    expect(created.status).toBe(201);
    return created.body.customer.id as string;
  };

  const storedEvents = async (organization: TestOrganization, customerId: string) => {
    const listed = await organization.live.get(`/v1/events?customer_id=${customerId}&limit=100`);
    expect(listed.status).toBe(200);
    return listed.body.events as Array<{ idempotency_key: string }>;
  };

  it('accepts the quickstart event right after the customer is created, and counts a retried batch once', async () => {
    const created = await acme.live.post('/v1/customers', {
      name: 'Acme Corp',
      email: 'billing@acme.com',
      external_id: 'cust_123',
    });
    const customerId = created.body.customer.id;
    const batch = {
      events: [
        {
          event_name: 'api.request',
          idempotency_key: 'evt_abc123xyz',
          customer_id: customerId,
          timestamp: '2024-01-15T10:30:00Z',
          properties: { tokens: 150, model: 'gpt-4' },
        },
      ],
    };

    const ingested = await acme.live.post('/v1/events/ingest', batch);
    expect(ingested.status).toBe(200);
    expect(ingested.body).toEqual({ success: true, accepted: 1, request_id: expect.stringMatching(requestIdFormat) });

    const retried = await acme.live.post('/v1/events/ingest', batch);
    expect(retried.body).toMatchObject({ success: true, accepted: 1 });
    const marker = { ...batch.events[0], idempotency_key: 'evt_after_retry' };
    await acme.live.post('/v1/events/ingest', { events: [marker] });

    // The marker follows both copies on the customer's partition, so once it is stored both copies were handled.
    const events = await eventually(
      async () => {
        const stored = await storedEvents(acme, customerId);
        expect(stored.map((event) => event.idempotency_key)).toContain('evt_after_retry');
        return stored;
      },
      { label: 'events stored' },
    );
    expect(events.map((event) => event.idempotency_key).sort()).toEqual(['evt_abc123xyz', 'evt_after_retry']);
    expect(events.find((event) => event.idempotency_key === 'evt_abc123xyz')).toEqual({
      event_name: 'api.request',
      idempotency_key: 'evt_abc123xyz',
      customer_id: customerId,
      timestamp: '2024-01-15T10:30:00.000Z',
      properties: { tokens: 150, model: 'gpt-4' },
      received_at: expect.any(String),
    });
  });

  it('refuses a batch with bad events, naming each index and field, and enqueues none of it', async () => {
    const customerId = await createCustomer(acme);
    const good = { event_name: 'api.request', idempotency_key: 'evt_good', customer_id: customerId };
    const future = new Date(Date.now() + 10 * 60 * 1000).toISOString();
    const refused = await acme.live.post('/v1/events/ingest', {
      events: [
        good,
        { ...good, idempotency_key: 'evt_bad_1', timestamp: '2024-01-15T10:30:00+02:00' },
        { ...good, idempotency_key: 'evt_bad_2', properties: { nested: { a: 1 } } },
        { ...good, idempotency_key: 'evt_bad_3', event_name: '' },
        { ...good, idempotency_key: 'evt_bad_4', timestamp: future },
      ],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('VALIDATION_ERROR');
    expect(refused.body.error.details.map((problem: { param: string }) => problem.param).sort()).toEqual([
      'events[1].timestamp',
      'events[2].properties.nested',
      'events[3].event_name',
    ]);

    const tooLate = await acme.live.post('/v1/events/ingest', {
      events: [good, { ...good, idempotency_key: 'evt_bad_4', timestamp: future }],
    });
    expect(tooLate.status).toBe(400);
    expect(tooLate.body.error.details).toEqual([
      { param: 'events[1].timestamp', message: expect.stringMatching(/future/) },
    ]);

    await acme.live.post('/v1/events/ingest', { events: [{ ...good, idempotency_key: 'evt_marker' }] });
    const stored = await eventually(
      async () => {
        const events = await storedEvents(acme, customerId);
        expect(events).not.toHaveLength(0);
        return events;
      },
      { label: 'marker stored' },
    );
    expect(stored.map((event) => event.idempotency_key)).toEqual(['evt_marker']);
  });

  it("refuses another organization's customer and an unknown one, naming the index", async () => {
    const ours = await createCustomer(acme);
    const theirs = await createCustomer(globex, 'Globex customer');
    const refused = await acme.live.post('/v1/events/ingest', {
      events: [
        { event_name: 'api.request', idempotency_key: 'evt_ours', customer_id: ours },
        { event_name: 'api.request', idempotency_key: 'evt_theirs', customer_id: theirs },
        { event_name: 'api.request', idempotency_key: 'evt_nobody', customer_id: 'cm5x9z8nv0000h85r7l9p2k1m' },
      ],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details).toEqual([
      { param: 'events[1].customer_id', message: 'no such customer' },
      { param: 'events[2].customer_id', message: 'no such customer' },
    ]);
    expect(
      (
        await acme.test.post('/v1/events/ingest', {
          events: [{ event_name: 'x', idempotency_key: 'k', customer_id: ours }],
        })
      ).status,
    ).toBe(400);
  });

  it('sums numeric properties exactly over a window, and pages events newest first', async () => {
    const customerId = await createCustomer(acme);
    const event = (key: string, timestamp: string, tokens: number) => ({
      event_name: 'api.request',
      idempotency_key: key,
      customer_id: customerId,
      timestamp,
      properties: { tokens, model: 'gpt-4' },
    });
    const ingested = await acme.live.post('/v1/events/ingest', {
      events: [
        event('u1', '2026-01-01T00:00:00Z', 0.1),
        event('u2', '2026-01-02T00:00:00Z', 0.2),
        event('u3', '2026-02-01T00:00:00Z', 5),
      ],
    });
    expect(ingested.body.accepted).toBe(3);

    const usage = await eventually(
      async () => {
        const response = await acme.live.get(
          `/v1/customers/${customerId}/usage?event_name=api.request&to=2026-01-31T00:00:00Z`,
        );
        expect(response.body.usage?.count).toBe(2);
        return response.body.usage;
      },
      { label: 'usage summed' },
    );
    // 0.1 + 0.2 = 0.3 exactly (numeric, not float); u3 falls after `to`
    expect(usage).toEqual({
      customer_id: customerId,
      event_name: 'api.request',
      from: null,
      to: '2026-01-31T00:00:00Z',
      count: 2,
      sums: { tokens: '0.3' },
    });

    const first = await acme.live.get(`/v1/events?customer_id=${customerId}&limit=2`);
    expect(first.body.events.map((row: { idempotency_key: string }) => row.idempotency_key)).toEqual(['u3', 'u2']);
    expect(first.body.pagination.has_more).toBe(true);
    const second = await acme.live.get(
      `/v1/events?customer_id=${customerId}&limit=2&cursor=${first.body.pagination.next_cursor}`,
    );
    expect(second.body.events.map((row: { idempotency_key: string }) => row.idempotency_key)).toEqual(['u1']);
    expect(second.body.pagination).toEqual({ has_more: false, next_cursor: null });

    expect((await globex.live.get(`/v1/customers/${customerId}/usage`)).status).toBe(404);
    const rejected = await acme.live.get('/v1/events/rejected');
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ success: true, rejected_events: [], pagination: { has_more: false } });
  });
});
