import { collectTopic, produce } from '@afternoon/testkit';
import type pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import {
  type IdempotentConsumerOptions,
  type RunningConsumer,
  startIdempotentConsumer,
} from '../src/consumer/idempotentConsumer';
import type { BatchHandler, RecordHandler } from '../src/consumer/records';
import { PoisonRecordError } from '../src/errors';
import type { KafkaConnection, Producer } from '../src/kafka/kafka';
import type { Logger } from '../src/logger';
import { createServiceMetrics } from '../src/metrics';
import { kitDatabase } from './kitDatabase';
import { kitKafka } from './kitKafka';

export interface ScenarioDeps {
  kafka: KafkaConnection;
  pool: pg.Pool;
  producer: Producer;
  logger: Logger;
  /** Every consumer a scenario starts, for the spec to stop in afterAll. */
  running: RunningConsumer[];
}

/** A source topic, its dead-letter topic and a consumer group of their own, with an `effects` table handler. */
export async function consumerScenario(deps: ScenarioDeps, name: string, partitions = 1) {
  const { kafka, pool } = deps;
  const topics = {
    source: { name, partitions, retentionMs: -1 },
    dlq: { name: `${name}.dlq`, partitions: 1, retentionMs: -1 },
  };
  await kafka.ensureTopics([topics.source, topics.dlq]);
  const metrics = createServiceMetrics(name);
  const groupId = kafka.topic({ name: `${name}.group`, partitions: 1, retentionMs: 0 });
  const start = async (
    handle: RecordHandler,
    extra: Partial<Omit<IdempotentConsumerOptions, 'handle' | 'kafka' | 'pool'>> = {},
  ) => {
    const consumer = await startIdempotentConsumer({
      kafka,
      pool,
      groupId,
      topics: [kafka.topic(topics.source)],
      deadLetterTopic: kafka.topic(topics.dlq),
      producer: deps.producer,
      logger: deps.logger,
      metrics,
      handle,
      ...extra,
    });
    deps.running.push(consumer);
    await consumer.joined;
    return consumer;
  };
  const stop = async (consumer: RunningConsumer) => {
    await consumer.stop();
    deps.running.splice(deps.running.indexOf(consumer), 1);
  };
  const send = (values: string[]) =>
    produce(
      kafka.topic(topics.source),
      values.map((value) => ({ key: 'same-key', value })),
    );
  const sendTo = (partition: number, values: string[]) =>
    produce(
      kafka.topic(topics.source),
      values.map((value) => ({ partition, value })),
    );
  const effects = async () =>
    (
      await pool.query<{ payload: string }>('SELECT payload FROM effects WHERE source = $1 ORDER BY id', [name])
    ).rows.map((row) => row.payload);
  const recordEffect: RecordHandler = async (tx, record) => {
    await tx.query('INSERT INTO effects (source, payload) VALUES ($1, $2)', [name, record.value]);
  };
  const recordEffects: BatchHandler = async (tx, records) => {
    await tx.query('INSERT INTO effects (source, payload) SELECT $1, unnest($2::text[])', [
      name,
      records.map((record) => record.value),
    ]);
  };
  /** `recordEffects`, refusing a batch that holds the value 'poison', as a handler refuses what it can never handle. */
  const recordEffectsUnlessPoison: BatchHandler = async (tx, records, context) => {
    if (records.some((record) => record.value === 'poison')) throw new PoisonRecordError('batch holds a poison record');
    await recordEffects(tx, records, context);
  };
  const countOf = async (outcome: string) =>
    (await metrics.recordsHandled.get()).values
      .filter((value) => value.labels.outcome === outcome)
      .reduce((sum, value) => sum + value.value, 0);
  const retries = async () => (await metrics.consumerRetries.get()).values.reduce((sum, value) => sum + value.value, 0);
  const deadLetters = () => collectTopic(kafka.topic(topics.dlq));
  return {
    topics,
    groupId,
    start,
    stop,
    send,
    /** Produces `values` to one partition of the source topic. */
    sendTo,
    effects,
    recordEffect,
    recordEffects,
    recordEffectsUnlessPoison,
    duplicatesSkipped: () => countOf('duplicate'),
    /** How many records `recordsHandled` counted with this outcome. */
    countOf,
    retries,
    deadLetters,
  };
}

/**
 * A consumer spec's real Postgres schema, Kafka connection and producer, opened before its tests and closed after
 * them (with every consumer its scenarios started); `scenario` builds one on them.
 */
export function consumerSpec() {
  const { kafka, logger } = kitKafka();
  let db: Awaited<ReturnType<typeof kitDatabase>>;
  let deps: ScenarioDeps;
  beforeAll(async () => {
    db = await kitDatabase();
    deps = { kafka, pool: db.pool, producer: await kafka.createProducer(), logger, running: [] };
  });
  afterAll(async () => {
    await Promise.all(deps.running.map((consumer) => consumer.stop()));
    await kafka.close();
    await db.drop();
  });
  return {
    kafka,
    pool: () => db.pool,
    scenario: (name: string, partitions?: number) => consumerScenario(deps, name, partitions),
  };
}
