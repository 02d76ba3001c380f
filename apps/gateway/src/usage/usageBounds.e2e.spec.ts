import { MeterUsageBatchAnswer } from '@afternoon/contracts/meterUsageBatch';
import { internalApiHeaders, TenantHeaders } from '@afternoon/service-kit';
import { eventually, testInternalApiToken } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

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
  const meteringUrl = () => `http://127.0.0.1:${cluster.services.metering.port}`;

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

    // The billing run alone asks for every group, on its own door: a bill sums those past the ones it shows.
    const forBilling = await fetch(new URL('/meter-usage/batch', meteringUrl()), {
      method: 'POST',
      headers: {
        ...internalApiHeaders(testInternalApiToken),
        [TenantHeaders.organizationId]: acme.id,
        [TenantHeaders.mode]: 'live',
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        items: [{ customer_id: customer, meter: 'requests', from: '2026-02-01T00:00:00Z', to: '2026-02-02T00:00:00Z' }],
      }),
    });
    expect(forBilling.status).toBe(200);
    expect(MeterUsageBatchAnswer.parse(await forBilling.json()).usage[0]?.groups).toHaveLength(events);
  });

  it('answers 503 with the envelope, never a 500, when the usage query waits past its lock timeout', async () => {
    const customer = (await acme.live.post('/v1/customers', { name: 'Locked Out' })).body.customer.id;
    const usage = `/v1/customers/${customer}/usage?meter=requests&from=2026-02-01T00:00:00Z&to=2026-02-02T00:00:00Z`;
    await eventually(async () => expect((await acme.live.get(usage)).status).toBe(200), { label: 'customer known' });
    // As a rebuild or a migration would: the tables the query reads (the events, and the hourly rollup a range on the
    // hour is read from alone) are locked for longer than DB_LOCK_TIMEOUT_MS.
    const locker = await cluster.services.metering.pools.background.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE usage_events, meter_usage_hourly IN ACCESS EXCLUSIVE MODE');
      const asked = Date.now();
      const locked = await acme.live.get(usage);
      // Ended by metering's lock timeout (5 s), well before the gateway gives up on metering (10 s).
      expect(Date.now() - asked).toBeLessThan(9_000);
      expect(locked.status).toBe(503);
      expect(locked.body).toMatchObject({ success: false, error: { code: 'SERVICE_UNAVAILABLE' } });
      expect(locked.body.request_id).toMatch(/^req_/);
    } finally {
      await locker.query('ROLLBACK');
      locker.release();
    }
  });
});
