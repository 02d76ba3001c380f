import { eventually, type PrivateKafka, startPrivateKafka } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

const produceTimeoutMs = 2_000;
// The produce bound plus the request's own Postgres work (API key, Idempotency-Key) on a busy machine.
const answerBoundMs = produceTimeoutMs + 2_000;

describe('a Kafka broker outage', () => {
  let broker: PrivateKafka;
  let cluster: TestCluster;
  let org: TestOrganization;

  beforeAll(async () => {
    broker = await startPrivateKafka();
    cluster = await startTestCluster({ kafkaBrokers: [broker.brokers], produceTimeoutMs });
    org = await cluster.createOrganization('Outage Co');
  });
  afterAll(async () => {
    await cluster?.stop();
    await broker?.destroy();
  });

  const timed = async <T>(request: () => Promise<T>) => {
    const started = Date.now();
    const answer = await request();
    return { answer, elapsedMs: Date.now() - started };
  };

  it('answers writes and ingest 503 within the produce bound, and takes the same write once the broker is back', async () => {
    const customer = await org.live.post('/v1/customers', { name: 'Before the outage' });
    expect(customer.status).toBe(201);
    await broker.stop();

    const write = await timed(() =>
      org.live.post('/v1/customers', { name: 'During the outage' }, { 'idempotency-key': 'during-outage' }),
    );
    expect(write.answer.status).toBe(503);
    expect(write.answer.body.error.code).toBe('SERVICE_UNAVAILABLE');
    expect(write.elapsedMs).toBeLessThan(answerBoundMs);

    const ingest = await timed(() =>
      org.live.post('/v1/events/ingest', {
        events: [{ event_name: 'api_call', idempotency_key: 'during-outage', customer_id: customer.body.customer.id }],
      }),
    );
    expect(ingest.answer.status).toBe(503);
    expect(ingest.answer.body.error.code).toBe('SERVICE_UNAVAILABLE');
    expect(ingest.elapsedMs).toBeLessThan(answerBoundMs);
    const readiness = await timed(() => fetch(`${cluster.baseUrl}/readyz`));
    expect(readiness.answer.status).toBe(503);
    expect(readiness.elapsedMs).toBeLessThan(answerBoundMs);

    await broker.start();
    const retried = await eventually(
      async () => {
        const answer = await org.live.post(
          '/v1/customers',
          { name: 'During the outage' },
          { 'idempotency-key': 'during-outage' },
        );
        expect(answer.status).toBe(201);
        return answer;
      },
      { timeout: 60_000, interval: 500, label: 'the write retried after the outage succeeds' },
    );
    const listed = await org.live.get('/v1/customers?limit=100');
    const named = listed.body.customers.filter((each: { name: string }) => each.name === 'During the outage');
    expect(named.map((each: { id: string }) => each.id)).toEqual([retried.body.customer.id]);
  });
});
