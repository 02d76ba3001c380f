import { eventually } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intAttribute, type ReceivedSpan, SpanKinds, startOtlpReceiver } from '../../test/otlpReceiver';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

describe('tracing (OTEL_EXPORTER_OTLP_ENDPOINT set)', () => {
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let cluster: TestCluster;
  let org: TestOrganization;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    cluster = await startTestCluster({ otlpEndpoint: receiver.endpoint });
    org = await cluster.createOrganization('Traced Co');
  });
  afterAll(async () => {
    await cluster?.stop();
    await receiver?.stop();
  });

  /** Checks `expected` of the trace whose root is the gateway's span of `route`, until it holds. */
  async function traceOf(route: string, expected: (spans: ReceivedSpan[]) => void): Promise<void> {
    await eventually(
      () => {
        const root = receiver.spans.find(
          (span) => span.service === 'gateway' && span.kind === SpanKinds.server && span.name === route,
        );
        expect(root, `a gateway span of ${route}`).toBeDefined();
        expected(receiver.spans.filter((span) => span.traceId === root?.traceId));
      },
      { timeout: 15_000, label: `the trace of ${route}` },
    );
  }

  const one = (spans: ReceivedSpan[], service: string, kind: number, name: string) => {
    const found = spans.filter((span) => span.service === service && span.kind === kind && span.name === name);
    expect(found, `${service} ${name}`).toHaveLength(1);
    return found[0] as ReceivedSpan;
  };

  it('follows POST /v1/customers from the gateway through Kafka, the service and its transaction, and back', async () => {
    const created = await org.live.post('/v1/customers', { name: 'Traced Ltd', email: 'ops@traced.example' });
    expect(created.status).toBe(201);

    const prefix = cluster.topicPrefix;
    const commands = `${prefix}customer.commands`;
    const replies = `${prefix}gateway.replies`;
    // Each app exports its spans on its own schedule: the whole trace is checked again until all have arrived.
    await traceOf('POST /v1/customers', (spans) => {
      const request = one(spans, 'gateway', SpanKinds.server, 'POST /v1/customers');
      const sent = one(spans, 'gateway', SpanKinds.producer, `send ${commands}`);
      const handled = one(spans, 'customer-service', SpanKinds.consumer, `process ${commands}`);
      const transaction = spans.find(
        (span) => span.name === 'postgres transaction' && span.parentSpanId === handled.spanId,
      );
      const replied = one(spans, 'customer-service', SpanKinds.producer, `send ${replies}`);
      const answered = one(spans, 'gateway', SpanKinds.consumer, `process ${replies}`);

      expect(request.parentSpanId ?? '').toBe('');
      expect(sent.parentSpanId).toBe(request.spanId);
      expect(handled.parentSpanId).toBe(sent.spanId);
      expect(transaction).toMatchObject({ service: 'customer-service', kind: SpanKinds.client });
      // The reply was queued in the outbox inside the transaction and sent by the relay later, still in this trace.
      expect(replied.parentSpanId).toBe(transaction?.spanId);
      expect(answered.parentSpanId).toBe(replied.spanId);
    });
  });

  it('follows each of several commands batched together to its own transaction and reply', async () => {
    // Sent at once, they share the gateway's produce requests, so some share a partition's fetched batch.
    const names = Array.from({ length: 16 }, (_, n) => `Batched ${n} Ltd`);
    const created = await Promise.all(names.map((name) => org.live.post('/v1/customers', { name })));
    expect(created.map(({ status }) => status)).toEqual(names.map(() => 201));

    const prefix = cluster.topicPrefix;
    const commands = `${prefix}customer.commands`;
    const replies = `${prefix}gateway.replies`;
    await eventually(
      () => {
        const requests = receiver.spans.filter(
          (span) => span.service === 'gateway' && span.kind === SpanKinds.server && span.name === 'POST /v1/customers',
        );
        expect(requests.length).toBeGreaterThanOrEqual(names.length);
        const batchSizes = requests.map((request) => {
          const spans = receiver.spans.filter((span) => span.traceId === request.traceId);
          const sent = one(spans, 'gateway', SpanKinds.producer, `send ${commands}`);
          const handled = one(spans, 'customer-service', SpanKinds.consumer, `process ${commands}`);
          const transaction = one(spans, 'customer-service', SpanKinds.client, 'postgres transaction');
          const replied = one(spans, 'customer-service', SpanKinds.producer, `send ${replies}`);
          const answered = one(spans, 'gateway', SpanKinds.consumer, `process ${replies}`);
          expect(sent.parentSpanId).toBe(request.spanId);
          expect(handled.parentSpanId).toBe(sent.spanId);
          expect(transaction.parentSpanId).toBe(handled.spanId);
          expect(replied.parentSpanId).toBe(transaction.spanId);
          expect(answered.parentSpanId).toBe(replied.spanId);
          return intAttribute(handled, 'messaging.batch.message_count') ?? 1;
        });
        // Else this test would not show that a batch keeps its commands' traces apart.
        expect(Math.max(...batchSizes), 'the largest batch of commands').toBeGreaterThan(1);
      },
      { timeout: 15_000, label: 'the trace of every command, batched ones too' },
    );
  });

  it('carries the trace into the internal API a read asks', async () => {
    const created = await org.live.post('/v1/customers', { name: 'Read Ltd', email: 'ops@read.example' });
    const read = await org.live.get(`/v1/customers/${created.body.customer.id}`);
    expect(read.status).toBe(200);

    await traceOf('GET /v1/customers/:id', (spans) => {
      const request = one(spans, 'gateway', SpanKinds.server, 'GET /v1/customers/:id');
      const internal = spans.find((span) => span.service === 'customer-service' && span.kind === SpanKinds.server);
      expect(internal?.parentSpanId).toBe(request.spanId);
    });
  });
});
