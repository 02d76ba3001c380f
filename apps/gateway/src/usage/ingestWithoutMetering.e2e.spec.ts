import { eventually } from '@afternoon/testkit';
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

  it('accepts the batch on Kafka alone, stores it once metering is back, and lists an unknown customer as rejected', async () => {
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

    await cluster.startMeteringService();
    await eventually(
      async () => {
        const listed = await org.live.get(`/v1/events?customer_id=${customerId}&limit=100`);
        const keys = listed.body.events.map((event: { idempotency_key: string }) => event.idempotency_key);
        expect(keys.sort()).toEqual(['while-down-1', 'while-down-2']);
      },
      { timeout: 30_000, label: 'the events accepted while metering was down are stored' },
    );
    const rejected = await org.live.get('/v1/events/rejected');
    expect(rejected.body.rejected_events).toEqual([
      expect.objectContaining({ idempotency_key: 'while-down-nobody', reason: `unknown customer: ${nobody}` }),
    ]);

    // With metering answering again, an unknown customer is refused at once, as before.
    const refused = await org.live.post('/v1/events/ingest', {
      events: [{ event_name: 'api.request', idempotency_key: 'while-up-nobody', customer_id: nobody }],
    });
    expect(refused.status).toBe(400);
  });
});
