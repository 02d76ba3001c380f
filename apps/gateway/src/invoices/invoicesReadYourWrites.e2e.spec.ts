import { Kafka, type Producer, type ProducerBatch } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

/**
 * Kafka makes a produce request's partitions readable one at a time, in an order of the broker's choosing; under
 * load the broker was measured answering a relay's send 51 ms after the reply it carried had been read, with the
 * event beside it still missing from the topic's end offsets. This makes that worst case happen every time: a send
 * that mixes command replies with other messages delivers the replies first and the rest `stallMs` later.
 */
const stallMs = 200;
let mixedSends = 0;
let sends = 0;
const createProducer = Kafka.prototype.producer;

function repliesFirst(producer: Producer): Producer {
  const sendBatch = producer.sendBatch.bind(producer);
  producer.sendBatch = async (batch: ProducerBatch) => {
    sends += 1;
    const topicMessages = batch.topicMessages ?? [];
    const isReply = (topic: string) => topic.endsWith('gateway.replies');
    const replies = topicMessages.filter(({ topic }) => isReply(topic));
    const others = topicMessages.filter(({ topic }) => !isReply(topic));
    if (replies.length === 0 || others.length === 0) return sendBatch(batch);
    mixedSends += 1;
    const first = await sendBatch({ ...batch, topicMessages: replies });
    await new Promise((resolve) => setTimeout(resolve, stallMs));
    return [...first, ...(await sendBatch({ ...batch, topicMessages: others }))];
  };
  return producer;
}

describe('read-your-writes from customers to invoices', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;

  beforeAll(async () => {
    Kafka.prototype.producer = function (this: Kafka, ...args: Parameters<Kafka['producer']>) {
      return repliesFirst(createProducer.apply(this, args));
    };
    cluster = await startTestCluster();
    acme = await cluster.createOrganization('Acme Inc.');
  });
  afterAll(async () => {
    Kafka.prototype.producer = createProducer;
    await cluster?.stop();
  });

  it('invoices a customer created in the previous request, in parallel, even when the broker shows replies first', async () => {
    const workers = 4;
    const cycles = 8;
    const failures: string[] = [];
    await Promise.all(
      Array.from({ length: workers }, async (_, worker) => {
        for (let cycle = 0; cycle < cycles; cycle += 1) {
          const name = `Fresh ${worker}.${cycle}`;
          const customer = await acme.live.post('/v1/customers', { name });
          expect(customer.status).toBe(201);
          const invoice = await acme.live.post('/v1/invoices', {
            customer_id: customer.body.customer.id,
            collection_method: 'charge_automatically',
            line_items: [{ description: 'API calls', quantity: 1, unit_amount_cents: 5000 }],
          });
          if (invoice.status !== 201 || invoice.body.invoice.customer_name !== name) {
            failures.push(`${name}: ${invoice.status} ${JSON.stringify(invoice.body.error ?? {})}`);
          }
        }
      }),
    );
    expect(sends).toBeGreaterThan(0);
    expect(failures).toEqual([]);
    // The outbox relay never lets a reply share a send with the events it announces.
    expect(mixedSends).toBe(0);
  }, 120_000);
});
