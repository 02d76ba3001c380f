import { eventually } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../testing/testCluster';

// One more than the documented bound on the groups of one usage answer (10,000).
const events = 10_001;
const batch = 1_000;

describe('usage answers with a bounded size', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;

  beforeAll(async () => {
    cluster = await startTestCluster();
    acme = await cluster.createOrganization('Acme Inc.');
  });
  afterAll(() => cluster?.stop());

  it('refuses a grouping with more than 10,000 groups with a 400 naming group_by, and still answers the total', async () => {
    const customer = (await acme.live.post('/v1/customers', { name: 'Every Request Unique' })).body.customer.id;
    const meter = { code: 'requests', name: 'Requests', event_name: 'api.request', aggregation: 'count' };
    expect((await acme.live.post('/v1/meters', { ...meter, group_by: ['request_id'] })).status).toBe(201);
    for (let first = 0; first < events; first += batch) {
      const keys = Array.from({ length: Math.min(batch, events - first) }, (_, i) => `req-${first + i}`);
      const ingested = await acme.live.post('/v1/events/ingest', {
        events: keys.map((key) => ({
          event_name: 'api.request',
          idempotency_key: key,
          customer_id: customer,
          timestamp: '2026-02-01T10:00:00Z',
          properties: { request_id: key },
        })),
      });
      expect(ingested.status).toBe(200);
    }

    const range = 'from=2026-02-01T00:00:00Z&to=2026-02-02T00:00:00Z';
    const usage = `/v1/customers/${customer}/usage?meter=requests&${range}`;
    await eventually(async () => expect((await acme.live.get(usage)).body.usage?.total).toBe(String(events)), {
      label: 'every event metered',
      timeout: 60_000,
    });

    const grouped = await acme.live.get(`${usage}&group_by=request_id&window=hour`);
    expect(grouped.status).toBe(400);
    expect(grouped.body).toMatchObject({
      success: false,
      error: {
        code: 'VALIDATION_ERROR',
        param: 'group_by',
        message: expect.stringContaining('more than 10000 groups'),
      },
    });
  });
});
