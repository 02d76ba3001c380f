import type { TopicSpec } from '@afternoon/contracts/topics';
import type { Router } from 'express';
import type pg from 'pg';
import type { AggregateDefinition } from '../commands/commandHandler';
import type { ProcessedThroughWaiter } from '../consumer/processedThrough';
import type { ConsumedRecord, RecordContext } from '../consumer/records';
import type { KafkaConnection } from '../kafka/kafka';
import type { Logger } from '../logger';
import type { ServiceMetrics } from '../metrics';
import type { Transaction } from '../postgres/database';
import type { ServicePools } from '../postgres/servicePools';
import type { Projection } from '../projections/projection';
import type { Stoppable } from './backgroundLoop';

/** What the kit gives every part of a slice once the service runs: its connections and its consumers' progress. */
export interface ServiceContext {
  name: string;
  /** The service's Postgres schema (its `DB_SCHEMA`). */
  schema: string;
  pools: ServicePools;
  kafka: KafkaConnection;
  logger: Logger;
  metrics: ServiceMetrics;
  /** The full consumer group id of the named consumer of this service. */
  groupId(consumerName: string): string;
  /** Waits until the named consumer has handled everything on `topic` as of now; false after `timeoutMs`. */
  catchUp(consumerName: string, topic: TopicSpec, timeoutMs: number): Promise<boolean>;
  /** The instant before which every record appended to `topic` has been handled by the named consumer. */
  processedThrough(consumerName: string, topic: TopicSpec): Promise<Date>;
  /** A wait until the named consumer has handled everything appended to `topic` before a given instant. */
  processedThroughWaiter(consumerName: string, topic: TopicSpec): ProcessedThroughWaiter;
}

/** What a consumer's handler gets beside its record: the service's context and the record's own. */
export type ConsumerContext = ServiceContext & RecordContext;

/** A consumer of another service's topic (or of raw input) feeding this service's own tables. */
export interface ConsumerDefinition {
  /** Names the consumer group: `<TOPIC_PREFIX><service>.<name>`. */
  name: string;
  topics: readonly TopicSpec[];
  deadLetterTopic: TopicSpec;
  handle(tx: Transaction, record: ConsumedRecord, context: ConsumerContext): Promise<void>;
  /** Optional batch mode (see `BatchHandler`); `handle` still isolates the records of a batch that fails. */
  handleBatch?(tx: Transaction, records: ConsumedRecord[], context: ServiceContext): Promise<void>;
  /** Read only through `catchUp` or `processedThroughWaiter`, it rests after its fetches (ADR 0052). */
  gathersRecords?: boolean;
}

/** What a slice's read routes get: the service's context, with its queries pool and waits on that pool. */
export interface RouteDeps extends ServiceContext {
  pool: pg.Pool;
}

/** Background work a slice runs while the service does (see `startBackgroundLoop`); stopped before the consumers. */
export type BackgroundWork = (context: ServiceContext) => Promise<Stoppable> | Stoppable;

/**
 * One vertical slice of a service as a value: the aggregates whose commands it decides, the projections those
 * commands' events feed, the consumers of other topics, its read routes and its background work.
 */
export interface Slice {
  name: string;
  // biome-ignore lint/suspicious/noExplicitAny: aggregates of different types share one dispatcher
  aggregates?: readonly AggregateDefinition<any, any, any>[];
  projections?: readonly Projection[];
  consumers?: readonly ConsumerDefinition[];
  /** Topics the slice produces to (through the outbox) that no consumer or command side of it names. */
  produces?: readonly TopicSpec[];
  routes?(deps: RouteDeps): Router;
  background?: readonly BackgroundWork[];
}
