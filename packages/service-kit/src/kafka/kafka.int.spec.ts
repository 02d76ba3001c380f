import type { TopicSpec } from '@afternoon/contracts/topics';
import { testInfra, uniqueName } from '@afternoon/testkit';
import { ConfigResourceTypes, ConfigSource } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger';
import { connectKafka, type KafkaConnection, type TopicReplication } from './kafka';

describe('ensureTopics', () => {
  const logger = createLogger('kit-test', 'error');
  const opened: KafkaConnection[] = [];
  const connect = (topicPrefix: string, replication?: TopicReplication) => {
    const connection = connectKafka({
      clientId: 'kit-test',
      brokers: testInfra().kafkaBrokers,
      topicPrefix,
      logger,
      ...(replication ? { replication } : {}),
    });
    opened.push(connection);
    return connection;
  };
  afterAll(async () => {
    await Promise.all(opened.map((connection) => connection.close()));
  });

  // As many fresh topics as a test cluster's services create at once, some stamped with the broker's append time.
  const specs: TopicSpec[] = Array.from({ length: 20 }, (_, index) => ({
    name: `fresh.${index}`,
    partitions: 1 + (index % 3),
    retentionMs: -1,
    ...(index % 2 === 0 ? { appendTime: true as const } : {}),
  }));

  it('returns only once every new topic answers offsets and takes records on every partition', async () => {
    const prefix = `${uniqueName('t')}.`;
    // Two apps of one cluster ensure the same topics at the same moment: both must come back with them usable.
    const [kafka, other] = [connect(prefix), connect(prefix)];
    await Promise.all([kafka.ensureTopics(specs), other.ensureTopics(specs)]);

    const admin = await kafka.admin();
    const producer = await other.createProducer();
    for (const spec of specs) {
      const topic = kafka.topic(spec);
      const offsets = await admin.fetchTopicOffsets(topic);
      expect(
        offsets.map(({ partition, high }) => ({ partition, high })).sort((a, b) => a.partition - b.partition),
      ).toEqual(Array.from({ length: spec.partitions }, (_, partition) => ({ partition, high: '0' })));
      await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: spec.partitions }, (_, partition) => ({ partition, value: `to ${partition}` })),
      });
    }
    for (const spec of specs) {
      const ends = await (await other.admin()).fetchTopicOffsets(kafka.topic(spec));
      expect(ends.every(({ high }) => high === '1')).toBe(true);
    }
  });

  it('leaves existing topics alone and still returns at once', async () => {
    const kafka = connect(`${uniqueName('t')}.`);
    await kafka.ensureTopics(specs.slice(0, 3));
    await kafka.ensureTopics(specs.slice(0, 5));
    const { topics } = await (await kafka.admin()).fetchTopicMetadata({
      topics: specs.slice(0, 5).map((spec) => kafka.topic(spec)),
    });
    const partitions = new Map(topics.map(({ name, partitions }) => [name, partitions.length]));
    expect(specs.slice(0, 5).map((spec) => partitions.get(kafka.topic(spec)))).toEqual(
      specs.slice(0, 5).map((spec) => spec.partitions),
    );
  });

  it('creates topics with the replication factor and min.insync.replicas it is configured with', async () => {
    const kafka = connect(`${uniqueName('t')}.`, { factor: 1, minInsyncReplicas: 1 });
    await kafka.ensureTopics(specs.slice(0, 2));
    const admin = await kafka.admin();
    const names = specs.slice(0, 2).map((spec) => kafka.topic(spec));

    const { topics } = await admin.fetchTopicMetadata({ topics: names });
    // One copy of each of the three partitions (1 + 2).
    expect(topics.flatMap(({ partitions }) => partitions.map(({ replicas }) => replicas.length))).toEqual([1, 1, 1]);
    const { resources } = await admin.describeConfigs({
      resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['min.insync.replicas'] })),
      includeSynonyms: false,
    });
    // Set on the topic itself, not inherited from whatever the broker defaults to.
    expect(
      resources.map(({ configEntries }) =>
        configEntries.map(({ configName, configValue, configSource }) => ({ configName, configValue, configSource })),
      ),
    ).toEqual(
      names.map(() => [
        { configName: 'min.insync.replicas', configValue: '1', configSource: ConfigSource.TOPIC_CONFIG },
      ]),
    );
  });

  it('refuses a replication factor the cluster cannot hold, naming the variable to change', async () => {
    const kafka = connect(`${uniqueName('t')}.`, { factor: 2, minInsyncReplicas: 1 });
    await expect(kafka.ensureTopics(specs.slice(0, 1))).rejects.toThrow(
      'KAFKA_REPLICATION_FACTOR=2 asks for more copies of each topic than the Kafka cluster has brokers (1)',
    );
  });

  it('refuses a min.insync.replicas above the replication factor, as no write could be acknowledged', async () => {
    const kafka = connect(`${uniqueName('t')}.`, { factor: 1, minInsyncReplicas: 2 });
    await expect(kafka.ensureTopics(specs.slice(0, 1))).rejects.toThrow(
      'KAFKA_MIN_INSYNC_REPLICAS=2 is more than KAFKA_REPLICATION_FACTOR=1',
    );
  });
});
