import { CustomerEvent, customerEventWireNames } from '@afternoon/contracts/customers';
import { TestClockEvent, testClockEventWireNames } from '@afternoon/contracts/testClocks';
import { type TopicSpec, Topics } from '@afternoon/contracts/topics';
import {
  type BatchHandler,
  consumerGroupId,
  eachRecordOfBatch,
  type ForeignEvent,
  type ForeignProjectionDefinition,
  foreignEventBatchHandler,
  foreignEventHandler,
  type KafkaConnection,
  type Logger,
  type Producer,
  type RecordHandler,
  type RunningConsumer,
  type ServiceMetrics,
  startIdempotentConsumer,
  type Tracing,
  type Transaction,
  waitUntilCaughtUp,
} from '@afternoon/service-kit';
import type pg from 'pg';

/** Keeps `usage_customers` in step with `customer.events`; each row remembers its stream version. */
const customerEvents = {
  schema: CustomerEvent,
  wireNames: customerEventWireNames,
  handlers: {
    CustomerCreated: (tx, event, source) => insertUsageCustomers(tx, [{ event, source }]),
    async CustomerUpdated() {},
    async CustomerDeleted(tx, event, { metadata, version }) {
      await tx.query(
        `UPDATE usage_customers SET deleted = true, version = $3
          WHERE id = $1 AND organization_id = $2 AND version < $3`,
        [event.data.customer_id, metadata.organization_id, version],
      );
    },
  },
  runHandlers: { CustomerCreated: insertUsageCustomers },
} satisfies Pick<ForeignProjectionDefinition<CustomerEvent>, 'schema' | 'wireNames' | 'handlers' | 'runHandlers'>;
export const applyCustomerEvent = foreignEventHandler(customerEvents);

/** A run of creations in one statement. */
async function insertUsageCustomers(
  tx: Transaction,
  created: readonly ForeignEvent<Extract<CustomerEvent, { type: 'CustomerCreated' }>>[],
): Promise<void> {
  await tx.query(
    `INSERT INTO usage_customers (id, organization_id, mode, test_clock_id, version)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[])
     ON CONFLICT (id) DO NOTHING`,
    [
      created.map(({ event }) => event.data.customer_id),
      created.map(({ source }) => source.metadata.organization_id),
      created.map(({ source }) => source.metadata.mode),
      created.map(({ event }) => event.data.test_clock),
      created.map(({ source }) => source.version),
    ],
  );
}

/** Keeps `usage_test_clocks` in step with invoicing's test clock events; other invoicing events are skipped. */
export const applyTestClockEvent = foreignEventHandler({
  schema: TestClockEvent,
  wireNames: testClockEventWireNames,
  handlers: {
    async TestClockCreated(tx, event, { metadata, version }) {
      await tx.query(
        `INSERT INTO usage_test_clocks (id, organization_id, mode, frozen_time, version) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO NOTHING`,
        [event.data.test_clock_id, metadata.organization_id, metadata.mode, event.data.frozen_time, version],
      );
    },
    async TestClockAdvanced(tx, event, { metadata, version }) {
      await tx.query(
        `UPDATE usage_test_clocks SET frozen_time = $3, version = $4
          WHERE id = $1 AND organization_id = $2 AND version < $4`,
        [event.data.test_clock_id, metadata.organization_id, event.data.frozen_time, version],
      );
    },
    async TestClockReady() {},
  },
});

/** The projection's two feeds: a consumer (and its group) per topic. */
const feeds = {
  customers: {
    name: 'usage-customers',
    topic: Topics.customerEvents,
    handle: applyCustomerEvent,
    // A run of creations in one statement (the rest event by event).
    handleBatch: foreignEventBatchHandler(customerEvents),
  },
  testClocks: {
    name: 'usage-test-clocks',
    topic: Topics.invoiceEvents,
    handle: applyTestClockEvent,
    // A feed's records are one row each: a transaction per fetched batch, not per record (ADR 0035).
    handleBatch: eachRecordOfBatch(applyTestClockEvent),
  },
} as const satisfies Record<
  string,
  { name: string; topic: TopicSpec; handle: RecordHandler; handleBatch: BatchHandler }
>;

export type UsageCustomersFeed = keyof typeof feeds;

/** The gateway's copy of the customers usage may name, and the times of their test clocks. */
export interface UsageCustomers {
  /** Waits until the feed's consumer has handled its topic as of now; false once `timeoutMs` has passed. */
  catchUp(feed: UsageCustomersFeed, timeoutMs: number): Promise<boolean>;
  /** What keeps the projection from keeping up, for /readyz. */
  problem(): string | undefined;
  stop(): Promise<void>;
}

/** Starts the consumers that keep `usage_customers` and `usage_test_clocks`, with the kit's idempotent consumer. */
export async function startUsageCustomers(options: {
  kafka: KafkaConnection;
  /** The consumers' own connections; a request's wait for them to catch up uses its own pool (`queries`). */
  pools: { ingest: pg.Pool; queries: pg.Pool };
  producer: Producer;
  topicPrefix: string;
  logger: Logger;
  metrics: ServiceMetrics;
  tracing?: Tracing;
}): Promise<UsageCustomers> {
  const { kafka, pools } = options;
  const groupId = (feed: UsageCustomersFeed) => consumerGroupId(options.topicPrefix, 'gateway', feeds[feed].name);
  const consumers: RunningConsumer[] = await Promise.all(
    (Object.keys(feeds) as UsageCustomersFeed[]).map((feed) =>
      startIdempotentConsumer({
        kafka,
        pool: pools.ingest,
        groupId: groupId(feed),
        topics: [kafka.topic(feeds[feed].topic)],
        deadLetterTopic: kafka.topic(Topics.consumerDeadLetter),
        producer: options.producer,
        logger: options.logger,
        metrics: options.metrics,
        tracing: options.tracing,
        handle: feeds[feed].handle,
        handleBatch: feeds[feed].handleBatch,
        traceEachRecord: true,
        // An ingest naming a customer it does not know yet waits through `catchUp`.
        gathersRecords: feed === 'customers',
      }),
    ),
  );
  await Promise.all(consumers.map((consumer) => consumer.joined));
  return {
    async catchUp(feed, timeoutMs) {
      const { topic } = feeds[feed];
      const caughtUp = waitUntilCaughtUp({ pool: pools.queries, kafka, groupId: groupId(feed), topic, timeoutMs });
      // Reading the topic's end offsets waits on the broker too: the deadline holds for that as well.
      return Promise.race([caughtUp.catch(() => false), deadline(timeoutMs)]);
    },
    problem: () => consumers.flatMap((consumer) => consumer.problem() ?? []).join('; ') || undefined,
    async stop() {
      await Promise.allSettled(consumers.map((consumer) => consumer.stop()));
    },
  };
}

function deadline(ms: number): Promise<false> {
  return new Promise((resolve) => setTimeout(() => resolve(false), ms).unref());
}
