/** Apps register their own metrics on their service's registry (`metrics.registry`) with these. */
export { Counter, Gauge, Histogram, type Registry } from 'prom-client';
export { changedFields } from './commands/changedFields';
export type { AggregateDefinition, CommandContext } from './commands/commandHandler';
export { createCommandRecordHandler } from './commands/commandHandler';
export { commandTypesOf } from './commands/commandTypes';
export type { Command, Decider, DomainEvent, Enriched, WithMetadata } from './commands/decider';
export { foldEvents } from './commands/decider';
export { type MultiStreamCommand, multiStreamCommandConsumer } from './commands/multiStreamCommand';
export { waitUntilCaughtUp } from './consumer/catchUp';
export { consumerGroupId } from './consumer/consumerGroupId';
export { consumersReady } from './consumer/consumerHealth';
export { type DecodedEvent, decodeEventRecord, parseRecordJson } from './consumer/eventRecords';
export type { RunningConsumer } from './consumer/idempotentConsumer';
export { startIdempotentConsumer } from './consumer/idempotentConsumer';
export type {
  HandledCheck,
  HandledPositions,
  ProcessedThroughWaiter,
  TopicEnds,
} from './consumer/processedThrough';
export { throughOf } from './consumer/processedThrough';
export type { BatchHandler, ConsumedRecord, RecordHandler, RecordOutcome } from './consumer/records';
export { eachRecordOfBatch, recordHeaders } from './consumer/records';
export { type ConsumedState, resetConsumedState } from './consumer/resetConsumedState';
export { restartAfterCrash } from './consumer/restartAfterCrash';
export { cappedExponentialDelay } from './consumer/retryDelay';
export { parseEnv, ServiceEnv } from './env';
export {
  ConcurrencyError,
  ConflictError,
  DomainError,
  ForbiddenError,
  IllegalStateError,
  NotFoundError,
  PoisonRecordError,
  ValidationError,
} from './errors';
export type { GlobalCheckpoint, NewEvent, StoredEvent } from './eventStore/eventStore';
export { appendToStream, checkpointOf, readAllEvents, readStream, startOfEventStore } from './eventStore/eventStore';
export {
  type EventRouting,
  type EventsToRecord,
  eventMessage,
  recordEvents,
  recordStreams,
  type StreamEvents,
} from './eventStore/recordEvents';
export { type FailureKind, failureKind, NotYetError } from './failures';
export { type FieldsParsed, fieldPath, parseFields } from './fieldProblems';
export { type InternalApi, internalApiHeaders } from './http/internalApi';
export { parseInput } from './http/parseInput';
export { requestTelemetry } from './http/requestTelemetry';
export {
  askService,
  ServiceAnswerError,
  type ServiceQuestion,
  ServiceRefusedError,
  ServiceUnavailableError,
} from './http/serviceClient';
export { closeServer, listen, operationalRoutes, type ReadinessCheck } from './http/serviceHttp';
export { type Tenant, TenantHeaders, tenantOf } from './http/tenant';
export { newHostedInvoiceUrl, newResourceId, usageIdOf } from './ids';
export {
  type ConsumerRunConfig,
  connectKafka,
  type KafkaConnection,
  type Producer,
  type TopicReplication,
} from './kafka/kafka';
export { type KafkaSecurity, kafkaSecurity } from './kafka/kafkaSecurity';
export { ProduceTimeoutError, sendWithin } from './kafka/sendWithin';
export { createLogger, type Logger } from './logger';
export { createServiceMetrics, type ServiceMetrics } from './metrics';
export { enqueueOutbox, type OutboxMessage } from './outbox/outbox';
export { startOutboxRelay } from './outbox/outboxRelay';
export { decodeCursor, encodeCursor, keysetPage, newestFirstSql } from './pagination';
export {
  createPool,
  isDatabaseUnavailable,
  isUniqueViolation,
  type Queryable,
  type Transaction,
  withReadSnapshot,
  withSavepoint,
  withTransaction,
} from './postgres/database';
export { migrate } from './postgres/migrate';
export { type NotifiedWait, notifiedWait, notifyWaiters, responseClosed } from './postgres/notifiedWait';
export { preparedStatement } from './postgres/preparedStatement';
export {
  createServicePool,
  createServicePools,
  endPools,
  type PoolRole,
  type ServicePools,
} from './postgres/servicePools';
export { SqlParameters, type SqlQuery } from './postgres/sqlParameters';
export {
  maintainTables,
  startTableMaintenance,
  type TableMaintenanceOptions,
  type TablesMaintained,
} from './postgres/tableMaintenance';
export { guardProcess, type UnhandledErrorKind, unhandledErrorsCaught } from './processGuard';
export {
  type ForeignEvent,
  type ForeignEventHandlers,
  type ForeignEventRunHandlers,
  type ForeignEventSource,
  type ForeignProjectionDefinition,
  foreignEventBatchHandler,
  foreignEventHandler,
  foreignProjection,
} from './projections/foreignProjection';
export type { Projection } from './projections/projection';
export { rebuildProjections } from './projections/rebuild';
export { type RebuildContext, runRebuild } from './projections/runRebuild';
export { openSecret, SecretsKey, sealedSecretPattern, sealSecret, UnsealError } from './secrets/sealedSecrets';
export { serveUntilSignalled } from './serveUntilSignalled';
export { type RunningService, type ServiceDefinition, startService } from './service';
export {
  type BackgroundLoop,
  type BackgroundLoopOptions,
  type LoopTimers,
  type Stoppable,
  startBackgroundLoop,
} from './slices/backgroundLoop';
export { type CommandTopics, consumedTopics, projectionsOf } from './slices/composition';
export type {
  BackgroundWork,
  ConsumerContext,
  ConsumerDefinition,
  RouteDeps,
  ServiceContext,
  Slice,
} from './slices/slice';
export {
  activeTracer,
  consumeInSpan,
  type ProducerSpan,
  startProducerSpan,
  withTraceHeaders,
} from './tracing/spans';
export { startTracing, type Tracing, type TracingSettings, tracingOff } from './tracing/tracing';
