import { Headers } from '@afternoon/contracts/messaging';
import type pg from 'pg';
import { PoisonRecordError } from '../errors';
import type { Consumer, KafkaConnection, KafkaMessage, Producer } from '../kafka/kafka';
import type { Logger } from '../logger';
import type { ServiceMetrics } from '../metrics';
import { type Transaction, withTransaction } from '../postgres/database';
import { recordHeaders } from './records';
import { rewindToStoredOffsets } from './rewindToStoredOffsets';

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  /** The record's Kafka timestamp, milliseconds since the epoch. */
  timestamp: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

export interface RecordContext {
  logger: Logger;
  /** Label for metrics; handlers set it once they know the record's type. */
  setType(type: string): void;
  /** Marks the record as one this consumer does not handle (counted, not an error). */
  skip(): void;
}

/** Handles one record inside the transaction that also stores the partition's next offset. */
export type RecordHandler = (tx: Transaction, record: ConsumedRecord, context: RecordContext) => Promise<void>;

/**
 * Optional batch mode: handles every not-yet-applied record of one fetched batch in one transaction, which also
 * stores the partition's next offset. If it throws, the kit handles those records one by one with the record handler.
 */
export type BatchHandler = (tx: Transaction, records: ConsumedRecord[], context: { logger: Logger }) => Promise<void>;

export interface RunningConsumer {
  /** Resolves once the consumer has joined its group and been given its partitions. */
  readonly joined: Promise<void>;
  isJoined(): boolean;
  stop(): Promise<void>;
}

export interface IdempotentConsumerOptions {
  kafka: KafkaConnection;
  pool: pg.Pool;
  groupId: string;
  topics: string[];
  handle: RecordHandler;
  /** When set, each fetched batch is first tried whole with it; `handle` isolates the records of a batch that fails. */
  handleBatch?: BatchHandler;
  deadLetterTopic: string;
  producer: Producer;
  logger: Logger;
  metrics: ServiceMetrics;
  maxAttempts?: number;
  /**
   * Fault injection for tests: runs after a record's transaction commits, before Kafka hears of it (in batch mode,
   * once per batch transaction, with the batch's last offset).
   */
  afterRecordCommitted?: (offset: string) => Promise<void>;
}

/**
 * The one way services consume Kafka. Each record's effects and the partition's next offset commit in one
 * Postgres transaction; records below the stored offset are skipped, so a crash between the database commit and
 * the Kafka offset commit neither loses nor doubles anything. Failures retry with backoff; records that cannot
 * be handled go to the dead-letter topic with the reason.
 */
export async function startIdempotentConsumer(options: IdempotentConsumerOptions): Promise<RunningConsumer> {
  const { kafka, pool, groupId, logger, metrics } = options;
  const maxAttempts = options.maxAttempts ?? 5;
  const consumer: Consumer = kafka.kafka.consumer({
    groupId,
    maxWaitTimeInMs: 50,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    retry: { retries: 10 },
  });
  let joined = false;
  let markJoined: () => void = () => undefined;
  const joinedPromise = new Promise<void>((resolve) => {
    markJoined = resolve;
  });
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
    markJoined();
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    joined = false;
    logger.error({ err: payload.error, groupId }, 'consumer crashed; kafkajs restarts it');
  });

  await rewindToStoredOffsets(await kafka.admin(), pool, groupId, options.topics, logger);
  await consumer.connect();
  for (const topic of options.topics) await consumer.subscribe({ topic, fromBeginning: true });

  await consumer.run({
    autoCommit: true,
    autoCommitInterval: 1_000,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 3,
    eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
      let next = await storedNextOffset(pool, groupId, batch.topic, batch.partition);
      const appliedByBatch = new Set<string>();
      if (options.handleBatch && isRunning() && !isStale()) {
        const pending = batch.messages.filter((message) => next === undefined || BigInt(message.offset) >= next);
        const last = pending[pending.length - 1];
        if (last && (await handleAsBatch(options.handleBatch, batch.topic, batch.partition, pending))) {
          for (const message of pending) appliedByBatch.add(message.offset);
          next = BigInt(last.offset) + 1n;
          await options.afterRecordCommitted?.(last.offset);
        }
      }
      for (const message of batch.messages) {
        if (!isRunning() || isStale()) break;
        if (appliedByBatch.has(message.offset)) {
          // Counted when its batch committed.
        } else if (next !== undefined && BigInt(message.offset) < next) {
          metrics.recordsHandled.inc({ group: groupId, topic: batch.topic, type: 'any', outcome: 'duplicate' });
        } else {
          await handleWithRetries(batch.topic, batch.partition, message);
          next = BigInt(message.offset) + 1n;
          await options.afterRecordCommitted?.(message.offset);
        }
        resolveOffset(message.offset);
        metrics.consumerLag.set(
          { group: groupId, topic: batch.topic, partition: String(batch.partition) },
          Number(BigInt(batch.highWatermark) - BigInt(message.offset) - 1n),
        );
        await heartbeat();
      }
      // Kafka's committed offset only shortens the replay after a restart; the stored offset decides (and is where a
      // group with no members starts from when Kafka's is ahead of it: see rewindToStoredOffsets).
      await commitOffsetsIfNecessary();
    },
  });

  async function handleAsBatch(
    handleBatch: BatchHandler,
    topic: string,
    partition: number,
    messages: KafkaMessage[],
  ): Promise<boolean> {
    const records = messages.map((message) => toConsumedRecord(topic, partition, message));
    const batchLogger = logger.child({ topic, partition, first_offset: records[0]?.offset, count: records.length });
    const stopTimer = metrics.handlerDuration.startTimer({ group: groupId });
    try {
      await withTransaction(pool, async (tx) => {
        await handleBatch(tx, records, { logger: batchLogger });
        const last = records[records.length - 1];
        if (last) await storeHandledThrough(tx, groupId, last);
      });
      stopTimer({ type: 'batch' });
      metrics.recordsHandled.inc({ group: groupId, topic, type: 'batch', outcome: 'handled' }, records.length);
      return true;
    } catch (error) {
      stopTimer({ type: 'batch' });
      batchLogger.warn({ err: error }, 'batch failed; handling its records one by one');
      return false;
    }
  }

  async function handleWithRetries(topic: string, partition: number, message: KafkaMessage): Promise<void> {
    const record = toConsumedRecord(topic, partition, message);
    const recordLogger = logger.child({
      correlation_id: record.headers[Headers.correlationId],
      request_id: record.headers[Headers.requestId],
      topic,
      partition,
      offset: record.offset,
    });
    for (let attempt = 1; ; attempt++) {
      let type = 'unknown';
      let outcome = 'handled';
      const stopTimer = metrics.handlerDuration.startTimer({ group: groupId });
      try {
        await withTransaction(pool, async (tx) => {
          await options.handle(tx, record, {
            logger: recordLogger,
            setType: (value) => {
              type = value;
            },
            skip: () => {
              outcome = 'unknown_type';
            },
          });
          await storeHandledThrough(tx, groupId, record);
        });
        stopTimer({ type });
        metrics.recordsHandled.inc({ group: groupId, topic, type, outcome });
        return;
      } catch (error) {
        stopTimer({ type });
        const poison = error instanceof PoisonRecordError;
        if (!poison && attempt < maxAttempts) {
          recordLogger.warn({ err: error, attempt }, 'record failed; retrying');
          await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 5_000)));
          continue;
        }
        const reason = error instanceof Error ? error.message : String(error);
        recordLogger.error({ err: error, attempt }, 'record sent to the dead-letter topic');
        await deadLetter(record, reason);
        metrics.recordsHandled.inc({ group: groupId, topic, type, outcome: 'dead_lettered' });
        return;
      }
    }
  }

  async function deadLetter(record: ConsumedRecord, reason: string): Promise<void> {
    await options.producer.send({
      topic: options.deadLetterTopic,
      acks: -1,
      messages: [
        {
          key: record.key,
          value: record.value,
          headers: {
            ...record.headers,
            [Headers.deadLetterReason]: reason,
            [Headers.deadLetterSource]: `${record.topic}/${record.partition}/${record.offset}`,
          },
        },
      ],
    });
    await withTransaction(pool, (tx) => storeHandledThrough(tx, groupId, record));
  }

  return {
    joined: joinedPromise,
    isJoined: () => joined,
    async stop() {
      await consumer.disconnect();
    },
  };
}

function toConsumedRecord(topic: string, partition: number, message: KafkaMessage): ConsumedRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    timestamp: message.timestamp,
    key: message.key?.toString() ?? null,
    value: message.value?.toString() ?? null,
    headers: recordHeaders(message.headers),
  };
}

async function storedNextOffset(
  pool: pg.Pool,
  groupId: string,
  topic: string,
  partition: number,
): Promise<bigint | undefined> {
  const { rows } = await pool.query<{ next_offset: string }>(
    'SELECT next_offset::text FROM consumer_offsets WHERE group_id = $1 AND topic = $2 AND partition = $3',
    [groupId, topic, partition],
  );
  return rows[0] ? BigInt(rows[0].next_offset) : undefined;
}

/** Records that the group has handled `record` and everything before it on its partition. */
async function storeHandledThrough(tx: Transaction, groupId: string, record: ConsumedRecord): Promise<void> {
  await tx.query(
    `INSERT INTO consumer_offsets (group_id, topic, partition, next_offset, last_record_at)
     VALUES ($1, $2, $3, $4, to_timestamp($5::bigint / 1000.0))
     ON CONFLICT (group_id, topic, partition) DO UPDATE SET
       last_record_at = CASE WHEN EXCLUDED.next_offset > consumer_offsets.next_offset
                             THEN EXCLUDED.last_record_at ELSE consumer_offsets.last_record_at END,
       next_offset = GREATEST(consumer_offsets.next_offset, EXCLUDED.next_offset),
       updated_at = now()`,
    [groupId, record.topic, record.partition, (BigInt(record.offset) + 1n).toString(), record.timestamp],
  );
}
