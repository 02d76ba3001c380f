import { eventually, uniqueName } from '@afternoon/testkit';
import { type PrivateKafka, type ScramUser, startPrivateKafka } from '@afternoon/testkit/faults';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger';
import { connectKafka, type KafkaConnection } from './kafka';
import { kafkaSecurity } from './kafkaSecurity';

const afternoon: ScramUser = { username: 'afternoon', password: uniqueName('scram_password') };
const topic = { name: 'scram.usage', partitions: 1, retentionMs: -1 };

/** The native broker (infra/kafka/kafka.sh) with SCRAM-SHA-256 on its client listener, as a production cluster asks. */
describe('the kit on a broker that asks SCRAM credentials', () => {
  let broker: PrivateKafka;
  const opened: KafkaConnection[] = [];
  const connectAs = (user: ScramUser) => {
    const connection = connectKafka({
      clientId: 'kit-scram-test',
      brokers: [broker.brokers],
      topicPrefix: '',
      logger: createLogger('kit-scram-test', 'silent'),
      security: kafkaSecurity({
        KAFKA_SSL: false,
        KAFKA_SASL_MECHANISM: 'scram-sha-256',
        KAFKA_SASL_USERNAME: user.username,
        KAFKA_SASL_PASSWORD: user.password,
      }),
    });
    opened.push(connection);
    return connection;
  };

  beforeAll(async () => {
    broker = await startPrivateKafka({ heap: '-Xmx512m', scram: afternoon });
  }, 180_000);
  afterAll(async () => {
    await Promise.allSettled(opened.map((connection) => connection.close()));
    await broker?.destroy();
  }, 90_000);

  it('creates topics, produces and consumes with the right credentials', { timeout: 90_000 }, async () => {
    const kafka = connectAs(afternoon);
    await kafka.ensureTopics([topic]);
    const producer = await kafka.createProducer();
    await producer.send({ topic: kafka.topic(topic), acks: -1, messages: [{ key: 'cus_1', value: 'one unit' }] });

    const consumer = kafka.kafka.consumer({ groupId: uniqueName('scram') });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: kafka.topic(topic), fromBeginning: true });
      const received: string[] = [];
      await consumer.run({
        eachMessage: async ({ message }) => {
          received.push(message.value?.toString() ?? '');
        },
      });
      await eventually(() => expect(received).toEqual(['one unit']), { timeout: 60_000, label: 'record consumed' });
    } finally {
      await consumer.disconnect();
    }
  });

  it('is refused with a wrong password or an unknown user', { timeout: 60_000 }, async () => {
    for (const intruder of [
      { ...afternoon, password: 'not-the-password' },
      { username: 'mallory', password: afternoon.password },
    ]) {
      await expect(connectAs(intruder).admin()).rejects.toThrow(/SASL SCRAM SHA256 authentication failed/);
      await expect(connectAs(intruder).createProducer()).rejects.toThrow(/authentication failed/);
    }
  });
});
