import { Topics } from '@afternoon/contracts/topics';
import { eventually, produce } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

describe('GET /v1/events/summary, the ingest ledger', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;
  let globex: TestOrganization;

  beforeAll(async () => {
    cluster = await startTestCluster();
    acme = await cluster.createOrganization('Acme Inc.');
    globex = await cluster.createOrganization('Globex');
  });
  afterAll(() => cluster.stop());

  it('accounts for every record sent over HTTP and straight to Kafka: stored, duplicate or rejected by reason', async () => {
    const customerId = (await acme.live.post('/v1/customers', { name: 'Acme Corp' })).body.customer.id as string;
    const globexCustomer = (await globex.live.post('/v1/customers', { name: 'Globex Corp' })).body.customer
      .id as string;
    const from = new Date();
    const event = (key: string, tokens = 1) => ({
      event_name: 'api.request',
      idempotency_key: key,
      customer_id: customerId,
      timestamp: '2026-01-15T10:30:00Z',
      properties: { tokens },
    });

    // Over HTTP: three events, the same batch retried (three duplicates), a key reused with other content.
    const batch = { events: [event('h1'), event('h2'), event('h3')] };
    for (const body of [batch, batch, { events: [event('h1', 99)] }]) {
      expect((await acme.live.post('/v1/events/ingest', body)).status).toBe(200);
    }
    expect(
      (await globex.live.post('/v1/events/ingest', { events: [{ ...event('h1'), customer_id: globexCustomer }] }))
        .status,
    ).toBe(200);
    // Straight to Kafka: a new event, a repeat of an HTTP one, an unknown customer and a record of no valid shape.
    const direct = (fields: Record<string, unknown>) => ({
      key: customerId,
      value: JSON.stringify({
        organization_id: acme.id,
        mode: 'live',
        ...event('d1'),
        received_at: new Date().toISOString(),
        ...fields,
      }),
    });
    await produce(cluster.services.metering.kafka.topic(Topics.usageIngest), [
      direct({}),
      direct({ idempotency_key: 'h2' }),
      direct({ idempotency_key: 'd2', customer_id: 'cm5x9z8nv0000h85r7l9p2k1m' }),
      direct({ idempotency_key: 'd3', properties: { nested: { no: 1 } } }),
    ]);
    // A millisecond on: a record appended in the same millisecond as `to` is outside [from, to).
    const to = new Date(Date.now() + 1);
    const window = `from=${from.toISOString()}&to=${to.toISOString()}`;

    // Sent by Acme in the window: 3 + 3 + 1 over HTTP, 4 to Kafka.
    const summary = await eventually(
      async () => {
        const response = await acme.live.get(`/v1/events/summary?${window}`);
        expect(response.status).toBe(200);
        expect(response.body.summary.complete).toBe(true);
        return response.body.summary;
      },
      { timeout: 30_000, label: 'every record of the window handled' },
    );
    expect(summary).toEqual({
      from: from.toISOString(),
      to: to.toISOString(),
      received: 11,
      stored: 4,
      duplicates: 4,
      rejected: {
        total: 3,
        by_reason: {
          invalid_record: 1,
          unknown_customer: 1,
          customer_deleted: 0,
          conflicting_duplicate: 1,
          unstorable_value: 0,
        },
      },
      in_flight: 0,
      complete: true,
      processed_through: expect.any(String),
    });
    expect(summary.received).toBe(summary.stored + summary.duplicates + summary.rejected.total + summary.in_flight);
    expect((await globex.live.get(`/v1/events/summary?${window}`)).body.summary).toMatchObject({
      received: 1,
      stored: 1,
    });
    expect((await acme.test.get(`/v1/events/summary?${window}`)).body.summary).toMatchObject({ received: 0 });

    // Each rejected record is listed with the reason it is counted under and when it was received.
    const rejected = (await acme.live.get('/v1/events/rejected')).body.rejected_events as Array<{
      reason_code: string;
      received_at: string;
    }>;
    expect(rejected.map((row) => row.reason_code).sort()).toEqual([
      'conflicting_duplicate',
      'invalid_record',
      'unknown_customer',
    ]);
    for (const row of rejected)
      expect(row.received_at >= from.toISOString() && row.received_at < to.toISOString()).toBe(true);
  });

  it('refuses a window that is not UTC, not forward or longer than 366 days, naming the field', async () => {
    const refused = async (query: string) => {
      const response = await acme.live.get(`/v1/events/summary?${query}`);
      expect(response.status).toBe(400);
      return response.body.error;
    };
    expect(await refused('from=2026-01-01T00:00:00Z')).toMatchObject({ code: 'VALIDATION_ERROR', param: 'to' });
    expect(await refused('from=2026-01-01T00:00:00%2B02:00&to=2026-01-02T00:00:00Z')).toMatchObject({
      param: 'from',
    });
    expect(await refused('from=2026-01-02T00:00:00Z&to=2026-01-02T00:00:00Z')).toMatchObject({
      param: 'to',
      message: 'to: must be after from',
    });
    expect(await refused('from=2026-01-01T00:00:00Z&to=2027-01-03T00:00:00Z')).toMatchObject({
      param: 'to',
      message: 'to: must be at most 366 days after from',
    });
    expect((await acme.live.get('/v1/events/summary?from=2026-01-01T00:00:00Z&to=2027-01-02T00:00:00Z')).status).toBe(
      200,
    );
  });
});
