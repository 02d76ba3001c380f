import { Headers } from '@afternoon/contracts/messaging';
import type pg from 'pg';
import type { Consumer, ConsumerRunConfig, KafkaConnection, KafkaMessage, Producer } from '../kafka/kafka';
import type { Logger } from '../logger';
import type { ServiceMetrics } from '../metrics';
import { consumeBatchInSpan, consumeEachInSpan, consumeInSpan } from '../tracing/spans';
import type { Tracing } from '../tracing/tracing';
import { allOf, BatchMembership } from './batchMembership';
import { ConcurrencyLimit } from './concurrencyLimit';
import { ConsumerHealth } from './consumerHealth';
import type { Batch, FetchedBatch, FetchOutcome, PartitionTurn, ReadOutcome } from './consumerTurns';
import { FetchGathering } from './fetchGathering';
import { FetchRests, restAfterFetchMs } from './fetchRests';
import { PeriodicOffsetCommits } from './periodicOffsetCommits';
import {
  type BatchHandler,
  type ConsumedRecord,
  type RecordHandler,
  type RecordOutcome,
  toConsumedRecord,
} from './records';
import { restartAfterCrash } from './restartAfterCrash';
import { cappedExponentialDelay, type RetryDelay } from './retryDelay';
import { rewindToStoredOffsets } from './rewindToStoredOffsets';
import { KnownOffsets, lastOfEachPartition } from './storedOffsets';
import { untilRecordOutcome } from './worldRetries';

/**
 * How often Kafka hears where each partition is handled through. Kafka's committed offset only shortens the replay
 * after a restart or rebalance; the stored offset decides (and is where a group with no members starts from when
 * Kafka's is ahead of it: see rewindToStoredOffsets).
 */
const kafkaCommitIntervalMs = 1_000;

/**
 * kafkajs workers per consumer: enough for every partition a member holds, so all of a fetch's batches start
 * together and are gathered into one transaction (ADR 0040).
 */
const partitionsGathered = 64;

/**
 * Partitions handled alone at once, when their fetch's transaction did not apply them: as many as kafkajs's workers
 * were before ADR 0040, so a partition whose handler waits does not hold up the others, and the pool is not drained.
 */
const partitionsAlone = 3;

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
  /** Read only through `catchUp` or `processedThroughWaiter`, it rests after its fetches (ADR 0052). */
  gathersRecords?: boolean;
  /** How long it rests: `restAfterFetchMs` unless a test proves its readers wake it (no heartbeat while resting). */
  restAfterFetchMs?: number;
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
    // With nothing to fetch, a fetch still returns every half second (a light poll).
    maxWaitTimeInMs: 500,
    sessionTimeout: options.sessionTimeout ?? 10_000,
    heartbeatInterval,
    retry: { retries: 10 },
  });
  const kafkaCommits = new PeriodicOffsetCommits(consumer, kafkaCommitIntervalMs, logger);
  const offsets = new KnownOffsets(groupId);
  const rests = new FetchRests(groupId, options.gathersRecords ? (options.restAfterFetchMs ?? restAfterFetchMs) : 0);
  let restAfterFetch = Promise.resolve();
  let joined = false;
  let markJoined: () => void = () => undefined;
  const joinedPromise = new Promise<void>((resolve) => {
    markJoined = resolve;
  });
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    metrics.handledPartitions.assigned(groupId, payload.memberAssignment);
    kafkaCommits.assigned(payload.memberAssignment);
    offsets.forget();
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

  const sameFetch = new FetchGathering<FetchedBatch, FetchOutcome>(handleFetch);
  const alone = new ConcurrencyLimit(partitionsAlone);
  const runConfig: ConsumerRunConfig = {
    // Kafka's offsets are committed in the background (PeriodicOffsetCommits), not after every batch.
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: partitionsGathered,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
      const control = { heartbeat, isRunning, isStale };
      const membership = new BatchMembership(control, heartbeatInterval);
      const fetched = await sameFetch.add({ batch, control });
      if (fetched.status === 'refused') throw fetched.error;
      if (fetched.status === 'read') {
        const turn = { batch, resolveOffset, heartbeat };
        if (fetched.applied) await handledBelow(turn, fetched.stored, fetched.next);
        else await alone.run(() => handleAlone(turn, membership, fetched));
      }
      membership.throwIfLost();
      fetched.membership.throwIfLost();
      await restAfterFetch;
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

  /**
   * A fetch's partition batches: their stored offsets read in one query, and their pending records tried in one
   * transaction (per topic). A partition whose records that transaction did not apply is then handled alone.
   */
  async function handleFetch(fetched: FetchedBatch[]): Promise<FetchOutcome[]> {
    const membership = new BatchMembership(allOf(fetched.map(({ control }) => control)), heartbeatInterval);
    const outcomes = new Map<FetchedBatch, FetchOutcome>();
    for (const topic of new Set(fetched.map(({ batch }) => batch.topic))) {
      const ofTopic = fetched.filter(({ batch }) => batch.topic === topic);
      const partitions = ofTopic.map(({ batch }) => batch.partition);
      const stored = await untilRecordOutcome(
        () => offsets.of(pool, topic, partitions),
        retriesOf(membership, topic, partitions, logger.child({ topic, partitions })),
      );
      if (stored.status !== 'done') {
        for (const each of ofTopic) outcomes.set(each, { ...stored, membership });
        continue;
      }
      const storedOf = (partition: number) => stored.value.get(partition) ?? undefined;
      const pending = ofTopic.map(({ batch }) => pendingRecords(batch, storedOf(batch.partition)));
      const records = pending.flat();
      const { handleBatch } = options;
      const applied =
        handleBatch !== undefined && records.length > 0 && (await handledWholeInSpan(handleBatch, records, membership));
      if (applied) for (const last of lastOfEachPartition(records)) await options.afterRecordCommitted?.(last.offset);
      // Refused with other partitions' records, a partition's batch may still pass alone.
      const tryWhole = !applied && pending.filter((each) => each.length > 0).length > 1;
      ofTopic.forEach((each, index) => {
        const last = pending[index]?.at(-1);
        const before = storedOf(each.batch.partition);
        const next = applied && last ? BigInt(last.offset) + 1n : before;
        const read = { stored: before, next, applied: applied && last !== undefined, tryWhole, membership };
        outcomes.set(each, { status: 'read', ...read });
      });
    }
    restAfterFetch = rests.after(fetched.every(({ batch }) => batch.offsetLag() === '0'));
    return fetched.map((each) => outcomes.get(each) as FetchOutcome);
  }

  /** A partition's batch that its fetch's transaction did not apply: whole if worth trying, then record by record. */
  async function handleAlone(turn: PartitionTurn, membership: BatchMembership, fetched: ReadOutcome): Promise<void> {
    const { batch } = turn;
    const pending = pendingRecords(batch, fetched.next);
    const last = pending.at(-1);
    const { handleBatch } = options;
    if (fetched.tryWhole && handleBatch && last && (await handledWholeInSpan(handleBatch, pending, membership))) {
      await options.afterRecordCommitted?.(last.offset);
      return handledBelow(turn, fetched.stored, BigInt(last.offset) + 1n);
    }
    let next = fetched.next;
    for (const message of batch.messages) {
      if (!membership.active()) break;
      if (next !== undefined && BigInt(message.offset) < next) {
        metrics.recordsHandled.inc({ group: groupId, topic: batch.topic, type: 'any', outcome: 'duplicate' });
      } else {
        const record = toConsumedRecord(batch.topic, batch.partition, message);
        if (!(await consumeInSpan(tracer, record, () => handleRecord(record, membership)))) break;
        next = BigInt(message.offset) + 1n;
        await options.afterRecordCommitted?.(message.offset);
      }
      await handledThrough(turn, message);
    }
  }

  /** The batch's records below `next` (below `stored` before) are handled: told once, through the last of them. */
  async function handledBelow(turn: PartitionTurn, stored: bigint | undefined, next: bigint | undefined) {
    if (next === undefined) return;
    const { topic, messages } = turn.batch;
    const below = messages.filter((message) => BigInt(message.offset) < next);
    const repeated = stored === undefined ? 0 : below.filter((message) => BigInt(message.offset) < stored).length;
    if (repeated > 0)
      metrics.recordsHandled.inc({ group: groupId, topic, type: 'any', outcome: 'duplicate' }, repeated);
    const last = below.at(-1);
    if (last) await handledThrough(turn, last);
  }

  /** Tells kafkajs, the background offset commits and the metrics that the partition is handled through `message`. */
  async function handledThrough({ batch, resolveOffset, heartbeat }: PartitionTurn, message: KafkaMessage) {
    resolveOffset(message.offset);
    kafkaCommits.handledThrough(batch.topic, batch.partition, message.offset);
    const lag = Number(BigInt(batch.highWatermark) - BigInt(message.offset) - 1n);
    metrics.consumerLag.set({ group: groupId, topic: batch.topic, partition: String(batch.partition) }, lag);
    metrics.handledPartitions.handled(groupId, batch.topic, batch.partition, { timestamp: message.timestamp, lag });
    await heartbeat();
  }

  function pendingRecords(batch: Batch, next: bigint | undefined): ConsumedRecord[] {
    return batch.messages
      .filter((message) => next === undefined || BigInt(message.offset) >= next)
      .map((message) => toConsumedRecord(batch.topic, batch.partition, message));
  }

  function retriesOf(membership: BatchMembership, topic: string, partitions: readonly number[], log: Logger) {
    return {
      membership,
      delay: retryDelay,
      onRetry(error: unknown, attempt: number) {
        log.warn({ err: error, attempt }, 'failed for a reason outside the record; retrying');
        metrics.consumerRetries.inc({ group: groupId, topic });
        for (const partition of partitions) health.retryingAt(topic, partition, error);
      },
      onOutcome() {
        for (const partition of partitions) health.movedOn(topic, partition);
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
          await offsets.applyPending(pool, records, (tx, pending) =>
            handleBatch(tx, pending, { logger: batchLogger, outcomes }),
          );
          return outcomes;
        } finally {
          stopTimer({ type: 'batch' });
        }
      },
      retriesOf(membership, first.topic, partitionsOf(records), batchLogger),
    );
    if (outcome.status === 'refused')
      batchLogger.warn(
        { err: outcome.error, count: records.length },
        'batch refused; handling its partitions alone, then record by record',
      );
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
      untilRecordOutcome(work, retriesOf(membership, record.topic, [record.partition], recordLogger));
    const handled = await untilOutcome(async () => {
      let outcome = 'handled';
      const stopTimer = metrics.handlerDuration.startTimer({ group: groupId });
      try {
        const applied = await offsets.applyPending(pool, [record], async (tx) => {
          await options.handle(tx, record, {
            logger: recordLogger,
            setType: (value) => {
              type = value;
            },
            skip: () => {
              outcome = 'unknown_type';
            },
          });
        });
        if (applied.length === 0) outcome = 'duplicate';
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
    await offsets.applyPending(pool, [record], async () => undefined);
  }

  return {
    joined: joinedPromise,
    problem: () => (joined ? health.problem() : `${groupId} has not joined its group`),
    async stop() {
      rests.stop();
      restarts.stop();
      await kafkaCommits.stop(kafkaCommitIntervalMs);
      await consumer.disconnect();
      metrics.handledPartitions.assigned(groupId, {});
    },
  };
}

const partitionsOf = (records: readonly ConsumedRecord[]) => [...new Set(records.map((record) => record.partition))];
