import { Topics } from '@afternoon/contracts/topics';
import { eventually, produce } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

describe('ten thousand usage events over HTTP and straight to Kafka, duplicates mixed in', () => {
  let cluster: TestCluster;
  let org: TestOrganization;

  beforeAll(async () => {
    cluster = await startTestCluster();
    org = await cluster.createOrganization('Volume Co');
  });
  afterAll(() => cluster.stop());

  it('stores every distinct idempotency key exactly once and sums exactly', async () => {
    const customers: string[] = [];
    for (const name of ['One', 'Two', 'Three']) {
      customers.push((await org.live.post('/v1/customers', { name })).body.customer.id);
    }
    const event = (n: number) => ({
      event_name: 'tokens.used',
      idempotency_key: `evt_${n}`,
      customer_id: customers[n % customers.length]!,
      timestamp: '2026-11-01T00:00:00Z',
      properties: { tokens: 1 },
    });

    // Keys 0..6999 over HTTP in 1,000-event batches; the last batch repeats keys 6000..6999 (a client retry).
    for (let batch = 0; batch < 7; batch++) {
      const events = Array.from({ length: 1000 }, (_, index) => event(batch * 1000 + index));
      expect((await org.live.post('/v1/events/ingest', { events })).status).toBe(200);
    }
    const retry = Array.from({ length: 1000 }, (_, index) => event(6000 + index));
    expect((await org.live.post('/v1/events/ingest', { events: retry })).body.accepted).toBe(1000);

    // Keys 5000..9999 straight to Kafka: 5000..6999 duplicate what came over HTTP, 7000..9999 are new.
    const receivedAt = new Date().toISOString();
    const records = Array.from({ length: 5000 }, (_, index) => {
      const { customer_id, ...rest } = event(5000 + index);
      return {
        key: customer_id,
        value: JSON.stringify({ organization_id: org.id, mode: 'live', customer_id, ...rest, received_at: receivedAt }),
      };
    });
    const topic = cluster.services.metering.kafka.topic(Topics.usageIngest);
    await produce(topic, records);

    // 10,000 distinct keys spread over three customers: 3,334 + 3,333 + 3,333 events, one token each.
    const expected = [3334, 3333, 3333];
    await eventually(
      async () => {
        for (const [index, customerId] of customers.entries()) {
          const usage = await org.live.get(`/v1/customers/${customerId}/usage?event_name=tokens.used`);
          expect(usage.body.usage.count).toBe(expected[index]);
          expect(usage.body.usage.sums.tokens).toBe(String(expected[index]));
        }
      },
      { timeout: 60_000, label: 'every distinct event stored once' },
    );
    const rejected = await org.live.get('/v1/events/rejected');
    expect(rejected.body.rejected_events).toEqual([]);
  });
});
