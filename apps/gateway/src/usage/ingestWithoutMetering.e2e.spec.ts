import { eventually } from '@afternoon/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

describe('ingest while metering-service is down', () => {
  let cluster: TestCluster;
  let org: TestOrganization;

  beforeAll(async () => {
    cluster = await startTestCluster();
    org = await cluster.createOrganization('Keeps Counting');
  });
  afterAll(() => cluster.stop());

  /**
   * Holds up the gateway's projection of customers, as a lock would (its consumer retries until the table is free):
   * until `release`, ingest cannot vouch for a customer created meanwhile.
   */
  async function holdUpUsageCustomers(): Promise<{ release(): Promise<void> }> {
    const client: pg.PoolClient = await cluster.gateway.pool.connect();
    await client.query('BEGIN');
    await client.query('LOCK TABLE usage_customers IN EXCLUSIVE MODE');
    return {
      async release() {
        await client.query('ROLLBACK');
        client.release();
      },
    };
  }

  it('refuses an unknown customer at once from the gateway’s own projection, with metering down', async () => {
    const known = (await org.live.post('/v1/customers', { name: 'Known Co' })).body.customer.id;
    const nobody = 'cm5x9z8nv0000h85r7l9p2k1x';
    await cluster.stopMeteringService();
    try {
      const refused = await org.live.post('/v1/events/ingest', {
        events: [
          { event_name: 'api.request', idempotency_key: 'down-known', customer_id: known },
          { event_name: 'api.request', idempotency_key: 'down-nobody', customer_id: nobody },
        ],
      });
      expect(refused.status).toBe(400);
      expect(refused.body.error.details).toEqual([{ param: 'events[1].customer_id', message: 'no such customer' }]);
      const accepted = await org.live.post('/v1/events/ingest', {
        events: [{ event_name: 'api.request', idempotency_key: 'down-known', customer_id: known }],
      });
      expect(accepted.body).toMatchObject({ success: true, accepted: 1 });
    } finally {
      await cluster.startMeteringService();
    }
  });

  it('accepts the batch on Kafka alone, stores it once metering is back, and lists an unknown customer as rejected', async () => {
    // The gateway cannot vouch for any customer either: the batch is taken unchecked once its catch-up gives up.
    const heldUp = await holdUpUsageCustomers();
    const created = await org.live.post('/v1/customers', { name: 'Counted Co' });
    expect(created.status).toBe(201);
    const customerId = created.body.customer.id;
    const nobody = 'cm5x9z8nv0000h85r7l9p2k1m';
    await cluster.stopMeteringService();

    const ingested = await org.live.post('/v1/events/ingest', {
      events: [
        { event_name: 'api.request', idempotency_key: 'while-down-1', customer_id: customerId },
        { event_name: 'api.request', idempotency_key: 'while-down-2', customer_id: customerId },
        { event_name: 'api.request', idempotency_key: 'while-down-nobody', customer_id: nobody },
      ],
    });
    expect(ingested.status).toBe(200);
    expect(ingested.body.accepted).toBe(3);
    // In test mode a customer's clock decides their events' time: a batch that cannot be checked is not taken.
    const testCustomer = (await org.test.post('/v1/customers', { name: 'Clocked Co' })).body.customer.id;
    const untestable = await org.test.post('/v1/events/ingest', {
      events: [{ event_name: 'api.request', idempotency_key: 'while-held-up', customer_id: testCustomer }],
    });
    expect(untestable.status).toBe(503);
    expect(untestable.body.error.code).toBe('SERVICE_UNAVAILABLE');
    await heldUp.release();

    await cluster.startMeteringService();
    await eventually(
      async () => {
        const listed = await org.live.get(`/v1/events?customer_id=${customerId}&limit=100`);
        const keys = listed.body.events.map((event: { idempotency_key: string }) => event.idempotency_key);
        expect(keys.sort()).toEqual(['while-down-1', 'while-down-2']);
      },
      { timeout: 30_000, label: 'the events accepted while metering was down are stored' },
    );
    // The unknown customer's record sits on another partition (records are keyed by customer), handled on its own.
    await eventually(
      async () => {
        const rejected = await org.live.get('/v1/events/rejected');
        expect(rejected.body.rejected_events).toEqual([
          expect.objectContaining({ idempotency_key: 'while-down-nobody', reason: `unknown customer: ${nobody}` }),
        ]);
      },
      { timeout: 30_000, label: 'the unknown customer is listed as rejected' },
    );

    // With the projection caught up again, an unknown customer is refused at once, as before.
    const refused = await org.live.post('/v1/events/ingest', {
      events: [{ event_name: 'api.request', idempotency_key: 'while-up-nobody', customer_id: nobody }],
    });
    expect(refused.status).toBe(400);
  });
});
