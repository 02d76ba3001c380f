import { eventually } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

const requestIdFormat = /^req_[A-Za-z0-9_-]+$/;

describe('usage alerts through the gateway', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;
  let globex: TestOrganization;
  let customerId: string;

  beforeAll(async () => {
    cluster = await startTestCluster({ withNotificationService: true });
    acme = await cluster.createOrganization('Acme Inc.');
    globex = await cluster.createOrganization('Globex');
    const meters = [
      { code: 'calls', name: 'Calls', event_name: 'api.call', aggregation: 'count' },
      { code: 'tokens', name: 'Tokens', event_name: 'llm.tokens', aggregation: 'sum', property: 'n' },
      { code: 'peak', name: 'Peak', event_name: 'llm.tokens', aggregation: 'max', property: 'n' },
    ];
    for (const meter of meters) expect((await acme.live.post('/v1/meters', meter)).status).toBe(201);
    customerId = (await acme.live.post('/v1/customers', { name: 'Alerted' })).body.customer.id;
  }, 120_000);
  afterAll(() => cluster?.stop());

  it('creates an alert, answers the same to a retried Idempotency-Key, lists, gets and deletes it', async () => {
    const body = { meter_code: 'calls', threshold: '1000.5', customer_id: customerId, name: 'Busy' };
    const headers = { 'Idempotency-Key': 'alert-create-1' };
    const created = await acme.live.post('/v1/alerts', body, headers);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      success: true,
      alert: {
        id: expect.any(String),
        name: 'Busy',
        meter_code: 'calls',
        threshold: '1000.5',
        customer_id: customerId,
        scope: 'billing_period',
        created_at: expect.any(String),
      },
      request_id: expect.stringMatching(requestIdFormat),
    });
    const retried = await acme.live.post('/v1/alerts', body, headers);
    expect(retried.status).toBe(201);
    expect(retried.body.alert).toEqual(created.body.alert);

    const { id } = created.body.alert;
    const fetched = await acme.live.get(`/v1/alerts/${id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body.alert).toEqual(created.body.alert);
    const listed = await acme.live.get('/v1/alerts?limit=100');
    expect(listed.body.alerts).toEqual([created.body.alert]);
    expect(listed.body.pagination).toEqual({ has_more: false, next_cursor: null });

    // Another organization, and the same one's test mode, see nothing of it.
    expect((await globex.live.get(`/v1/alerts/${id}`)).status).toBe(404);
    expect((await acme.test.get(`/v1/alerts/${id}`)).status).toBe(404);
    expect((await globex.live.delete(`/v1/alerts/${id}`)).status).toBe(404);

    const deleted = await acme.live.delete(`/v1/alerts/${id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.alert).toEqual({ id, deleted: true });
    expect((await acme.live.get(`/v1/alerts/${id}`)).body.error).toMatchObject({ code: 'NOT_FOUND' });
    expect((await acme.live.delete(`/v1/alerts/${id}`)).status).toBe(404);
    expect((await acme.live.get('/v1/alerts/not-an-id')).status).toBe(404);
  }, 60_000);

  it('refuses an alert on a meter that does not exist or does not add up, or for an unknown customer', async () => {
    const refused = async (body: Record<string, unknown>) => (await acme.live.post('/v1/alerts', body)).body.error;
    expect(await refused({ meter_code: 'nothing_here', threshold: 5 })).toMatchObject({
      code: 'VALIDATION_ERROR',
      param: 'meter_code',
      message: expect.stringContaining("no such meter: 'nothing_here'"),
    });
    expect(await refused({ meter_code: 'peak', threshold: 5 })).toMatchObject({
      code: 'VALIDATION_ERROR',
      param: 'meter_code',
    });
    // Globex has no meters: Acme's is not theirs.
    expect((await globex.live.post('/v1/alerts', { meter_code: 'calls', threshold: 5 })).body.error).toMatchObject({
      param: 'meter_code',
    });
    expect(
      await refused({ meter_code: 'calls', threshold: 5, customer_id: 'cmnosuchcustomer000000001' }),
    ).toMatchObject({ code: 'NOT_FOUND', param: 'customer_id' });
    expect(await refused({ meter_code: 'calls', threshold: 0 })).toMatchObject({
      code: 'VALIDATION_ERROR',
      param: 'threshold',
    });
    expect(await refused({ meter_code: 'calls', threshold: 5, scope: 'forever' })).toMatchObject({ param: 'scope' });
  }, 60_000);

  it("tells an alert once its meter's usage reaches the threshold, from events ingested over HTTP", async () => {
    const alert = (await acme.live.post('/v1/alerts', { meter_code: 'tokens', threshold: '10', scope: 'lifetime' }))
      .body.alert;
    const event = (n: number, tokens: number) => ({
      event_name: 'llm.tokens',
      idempotency_key: `tokens_${n}`,
      customer_id: customerId,
      timestamp: new Date().toISOString(),
      properties: { n: tokens },
    });
    // 4 + 6 = 10: told with the second event; 10 + 7 = 17 and a resent event tell nothing more.
    expect((await acme.live.post('/v1/events/ingest', { events: [event(1, 4), event(2, 6)] })).status).toBe(200);
    expect((await acme.live.post('/v1/events/ingest', { events: [event(3, 7), event(1, 4)] })).status).toBe(200);
    const notifications = cluster.services.notifications!;
    const notices = async () =>
      (
        await notifications.pool.query(
          `SELECT data FROM events WHERE stream_id = $1 AND type = 'AlertThresholdReached' ORDER BY version`,
          [`alert-${alert.id}`],
        )
      ).rows.map((row) => row.data);
    await eventually(async () => expect(await notices()).toHaveLength(1), { timeout: 30_000, label: 'notice' });
    await eventually(
      async () => {
        const { rows } = await notifications.pool.query(
          `SELECT quantity::text FROM alert_usage WHERE customer_id = $1 AND meter_code = 'tokens'
            AND period_start IS NULL`,
          [customerId],
        );
        expect(rows).toEqual([{ quantity: '17' }]);
      },
      { timeout: 30_000, label: 'every event counted once' },
    );
    expect(await notices()).toEqual([
      expect.objectContaining({ alert_id: alert.id, customer_id: customerId, value: '10', threshold: '10' }),
    ]);
  }, 90_000);
});
