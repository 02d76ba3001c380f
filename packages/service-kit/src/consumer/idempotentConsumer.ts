import { Headers } from '@afternoon/contracts/messaging';
import type pg from 'pg';
import type { Consumer, ConsumerRunConfig, KafkaConnection, KafkaMessage, Producer } from '../kafka/kafka';
import type { Logger } from '../logger';
import type { ServiceMetrics } from '../metrics';
import { type Transaction, withTransaction } from '../postgres/database';
import { consumeBatchInSpan, consumeEachInSpan, consumeInSpan, inRecordTrace } from '../tracing/spans';
import type { Tracing } from '../tracing/tracing';
import { BatchMembership } from './batchMembership';
import { ConsumerHealth } from './consumerHealth';
import { PeriodicOffsetCommits } from './periodicOffsetCommits';
import { recordHeaders } from './records';
import { restartAfterCrash } from './restartAfterCrash';
import { cappedExponentialDelay, type RetryDelay } from './retryDelay';
import { rewindToStoredOffsets } from './rewindToStoredOffsets';
import { untilRecordOutcome } from './worldRetries';

/**
 * How often Kafka hears where each partition is handled through. Kafka's committed offset only shortens the replay
 * after a restart or rebalance; the stored offset decides (and is where a group with no members starts from when
 * Kafka's is ahead of it: see rewindToStoredOffsets).
 */
const kafkaCommitIntervalMs = 1_000;

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
 * It may add each record's type and outcome to `outcomes`, for the metrics; otherwise the batch counts as `batch`.
 */
export type BatchHandler = (
  tx: Transaction,
  records: ConsumedRecord[],
  context: { logger: Logger; outcomes?: RecordOutcome[] },
) => Promise<void>;

/** What became of a record handled in a batch, as `recordsHandled` counts it. */
export interface RecordOutcome {
  type: string;
  outcome: 'handled' | 'unknown_type';
}

/**
 * The batch handler of a consumer that has no batch logic of its own: `handle` over every pending record of the
 * batch, in order, each in its own trace (with `traceEachRecord`), in the batch's one transaction. A record of a
 * projection costs less than the commit that stores it alone (ADR 0035).
 */
export function eachRecordOfBatch(handle: RecordHandler): BatchHandler {
  return async (tx, records, { logger, outcomes }) => {
    for (const record of records) {
      const outcome: RecordOutcome = { type: 'unknown', outcome: 'handled' };
      const context: RecordContext = {
        logger,
        setType: (type) => {
          outcome.type = type;
        },
        skip: () => {
          outcome.outcome = 'unknown_type';
        },
      };
      await inRecordTrace(record, () => handle(tx, record, context));
      outcomes?.push(outcome);
    }
  };
}

export interface RunningConsumer {
  /** Resolves once the consumer has joined its group and been given its partitions. */
  readonly joined: Promise<void>;
  /** What keeps it from keeping up, for /readyz: not in its group, or retrying a failure of the world since when. */
  problem(): string | undefined;
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
  /**
   * In batch mode, each record continues its own trace (a command, whose request awaits its reply): it gets its own
   * CONSUMER span, the batch's transaction is a span of each, and the handler runs a record's part with
   * `inRecordTrace`. Otherwise a batch gets one CONSUMER span of its own, linked to its records.
   */
  traceEachRecord?: boolean;
  deadLetterTopic: string;
  producer: Producer;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Each record (or batch) is handled in a CONSUMER span continuing the trace its headers carry; none when off. */
  tracing?: Tracing;
  /** The wait before each retry of a failure of the world; by default 100 ms doubling to 30 s, with jitter. */
  retryDelay?: RetryDelay;
  /** A member silent this long is evicted from the group (10 s by default). */
  sessionTimeout?: number;
  /** How often the member tells the group it is alive, also while a handler runs or a retry waits (1 s). */
  heartbeatInterval?: number;
  /**
   * Fault injection for tests: runs after a record's transaction commits, before Kafka hears of it (in batch mode,
   * once per batch transaction, with the batch's last offset).
   */
  afterRecordCommitted?: (offset: string) => Promise<void>;
}

/**
 * The one way services consume Kafka. Each record's effects and the partition's next offset commit in one
 * Postgres transaction; records below the stored offset are skipped, so a crash between the database commit and
 * the Kafka offset commit neither loses nor doubles anything. A record that fails for its own reason (see
 * `failureKind`) goes to the dead-letter topic with the reason at once; any other failure is retried with backoff
 * for as long as it takes, holding the partition, heartbeating, and saying so on /readyz.
 */
export async function startIdempotentConsumer(options: IdempotentConsumerOptions): Promise<RunningConsumer> {
  const { kafka, pool, groupId, logger, metrics } = options;
  const retryDelay = options.retryDelay ?? cappedExponentialDelay;
  const heartbeatInterval = options.heartbeatInterval ?? 1_000;
  const tracer = options.tracing?.tracer;
  const health = new ConsumerHealth(groupId);
  const consumer: Consumer = kafka.kafka.consumer({
    groupId,
    maxWaitTimeInMs: 500,
    sessionTimeout: options.sessionTimeout ?? 10_000,
    heartbeatInterval,
    retry: { retries: 10 },
  });
  const kafkaCommits = new PeriodicOffsetCommits(consumer, kafkaCommitIntervalMs, logger);
  let joined = false;
  let markJoined: () => void = () => undefined;
  const joinedPromise = new Promise<void>((resolve) => {
    markJoined = resolve;
  });
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    metrics.handledPartitions.assigned(groupId, payload.memberAssignment);
    kafkaCommits.assigned(payload.memberAssignment);
    joined = true;
    markJoined();
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    joined = false;
    logger.error({ err: payload.error, groupId, restart: payload.restart }, 'consumer crashed');
  });

  await rewindToStoredOffsets(await kafka.admin(), pool, groupId, options.topics, logger);
  await consumer.connect();
  for (const topic of options.topics) await consumer.subscribe({ topic, fromBeginning: true });

  const runConfig: ConsumerRunConfig = {
    // Kafka's offsets are committed in the background (PeriodicOffsetCommits), not after every batch.
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 3,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
      const membership = new BatchMembership({ heartbeat, isRunning, isStale }, heartbeatInterval);
      const stored = await untilRecordOutcome(
        () => storedNextOffset(pool, groupId, batch.topic, batch.partition),
        retriesOf(
          membership,
          batch.topic,
          batch.partition,
          logger.child({ topic: batch.topic, partition: batch.partition }),
        ),
      );
      if (stored.status === 'refused') throw stored.error;
      if (stored.status === 'abandoned') {
        membership.throwIfLost();
        return;
      }
      let next = stored.value;
      const appliedByBatch = new Set<string>();
      const pending = batch.messages.filter((message) => next === undefined || BigInt(message.offset) >= next);
      const last = pending[pending.length - 1];
      const wholeBatch = () => pending.map((message) => toConsumedRecord(batch.topic, batch.partition, message));
      const { handleBatch } = options;
      if (handleBatch && last && (await handledWholeInSpan(handleBatch, wholeBatch(), membership))) {
        for (const message of pending) appliedByBatch.add(message.offset);
        next = BigInt(last.offset) + 1n;
        await options.afterRecordCommitted?.(last.offset);
      }
      for (const message of batch.messages) {
        if (!membership.active()) break;
        if (appliedByBatch.has(message.offset)) {
          // Counted when its batch committed.
        } else if (next !== undefined && BigInt(message.offset) < next) {
          metrics.recordsHandled.inc({ group: groupId, topic: batch.topic, type: 'any', outcome: 'duplicate' });
        } else {
          const record = toConsumedRecord(batch.topic, batch.partition, message);
          if (!(await consumeInSpan(tracer, record, () => handleRecord(record, membership)))) break;
          next = BigInt(message.offset) + 1n;
          await options.afterRecordCommitted?.(message.offset);
        }
        resolveOffset(message.offset);
        kafkaCommits.handledThrough(batch.topic, batch.partition, message.offset);
        const lag = Number(BigInt(batch.highWatermark) - BigInt(message.offset) - 1n);
        metrics.consumerLag.set({ group: groupId, topic: batch.topic, partition: String(batch.partition) }, lag);
        metrics.handledPartitions.handled(groupId, batch.topic, batch.partition, { timestamp: message.timestamp, lag });
        await heartbeat();
      }
      membership.throwIfLost();
    },
  };
  await consumer.run(runConfig);
  kafkaCommits.start();
  const restarts = restartAfterCrash({
    consumer,
    start: async () => {
      await consumer.connect();
      await consumer.run(runConfig);
    },
    delay: retryDelay,
    logger,
    groupId,
  });

  function retriesOf(membership: BatchMembership, topic: string, partition: number, log: Logger) {
    return {
      membership,
      delay: retryDelay,
      onRetry(error: unknown, attempt: number) {
        log.warn({ err: error, attempt }, 'failed for a reason outside the record; retrying');
        metrics.consumerRetries.inc({ group: groupId, topic });
        health.retryingAt(topic, partition, error);
      },
      onOutcome() {
        health.movedOn(topic, partition);
      },
    };
  }

  function handledWholeInSpan(handleBatch: BatchHandler, records: ConsumedRecord[], membership: BatchMembership) {
    const consume = options.traceEachRecord ? consumeEachInSpan : consumeBatchInSpan;
    return consume(tracer, records, () => handledWhole(handleBatch, records, membership));
  }

  /** Tries the batch whole, retrying world failures; false when it is refused (or given up): go record by record. */
  async function handledWhole(
    handleBatch: BatchHandler,
    records: ConsumedRecord[],
    membership: BatchMembership,
  ): Promise<boolean> {
    const [first, last] = [records[0], records[records.length - 1]];
    if (!first || !last || !membership.active()) return false;
    const batchLogger = logger.child({ topic: first.topic, partition: first.partition, first_offset: first.offset });
    const outcome = await untilRecordOutcome(
      async () => {
        const stopTimer = metrics.handlerDuration.startTimer({ group: groupId });
        try {
          const outcomes: RecordOutcome[] = [];
          await withTransaction(pool, async (tx) => {
            await handleBatch(tx, records, { logger: batchLogger, outcomes });
            await storeHandledThrough(tx, groupId, last);
          });
          return outcomes;
        } finally {
          stopTimer({ type: 'batch' });
        }
      },
      retriesOf(membership, first.topic, first.partition, batchLogger),
    );
    if (outcome.status === 'refused')
      batchLogger.warn({ err: outcome.error, count: records.length }, 'batch refused; handling its records one by one');
    if (outcome.status !== 'done') return false;
    const counted = outcome.value.length > 0 ? outcome.value : [{ type: 'batch', outcome: 'handled' as const }];
    const each = outcome.value.length > 0 ? 1 : records.length;
    for (const { type, outcome: handled } of counted)
      metrics.recordsHandled.inc({ group: groupId, topic: first.topic, type, outcome: handled }, each);
    return true;
  }

  /** Handles one record or dead-letters it; false when the batch was given up before either (stopping, rebalance). */
  async function handleRecord(record: ConsumedRecord, membership: BatchMembership): Promise<boolean> {
    const recordLogger = logger.child({
      correlation_id: record.headers[Headers.correlationId],
      request_id: record.headers[Headers.requestId],
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
    });
    let type = 'unknown';
    const untilOutcome = <T>(work: () => Promise<T>) =>
      untilRecordOutcome(work, retriesOf(membership, record.topic, record.partition, recordLogger));
    const handled = await untilOutcome(async () => {
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
      } finally {
        stopTimer({ type });
      }
      return outcome;
    });
    if (handled.status === 'abandoned') return false;
    if (handled.status === 'done') {
      metrics.recordsHandled.inc({ group: groupId, topic: record.topic, type, outcome: handled.value });
      return true;
    }
    const reason = handled.error instanceof Error ? handled.error.message : String(handled.error);
    recordLogger.error({ err: handled.error }, 'record refused; sent to the dead-letter topic');
    const sent = await untilOutcome(() => deadLetter(record, reason));
    if (sent.status === 'refused') throw sent.error;
    if (sent.status === 'abandoned') return false;
    metrics.recordsHandled.inc({ group: groupId, topic: record.topic, type, outcome: 'dead_lettered' });
    return true;
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
    problem: () => (joined ? health.problem() : `${groupId} has not joined its group`),
    async stop() {
      restarts.stop();
      await kafkaCommits.stop(kafkaCommitIntervalMs);
      await consumer.disconnect();
      metrics.handledPartitions.assigned(groupId, {});
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
