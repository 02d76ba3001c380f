import type { EventMetadata } from '@afternoon/contracts/messaging';
import type { TopicSpec } from '@afternoon/contracts/topics';
import type { z } from 'zod';
import { decodeEventRecord } from '../consumer/eventRecords';
import type { BatchHandler, ConsumedRecord, RecordContext, RecordHandler, RecordOutcome } from '../consumer/records';
import type { Logger } from '../logger';
import type { Transaction } from '../postgres/database';
import type { ConsumerDefinition } from '../slices/slice';

/** What a handler of another service's event gets beside the event: where it came from and which version it is. */
export interface ForeignEventSource {
  metadata: EventMetadata;
  /** The event's version in its stream: a row that remembers it ignores a redelivered or older event. */
  version: number;
  record: ConsumedRecord;
  context: RecordContext;
}

/** One handler per event type of the contract, so a type added to it cannot be forgotten here. */
export type ForeignEventHandlers<E extends { type: string }> = {
  [T in E['type']]: (tx: Transaction, event: Extract<E, { type: T }>, source: ForeignEventSource) => Promise<void>;
};

/** An event of a run (consecutive events of one type in a fetched batch), with where it came from. */
export interface ForeignEvent<Ev> {
  event: Ev;
  source: ForeignEventSource;
}

/**
 * For the types whose rows a batch can write at once: a run of consecutive events of the type in one go, doing what
 * the type's handler would do for each of them, in order.
 */
export type ForeignEventRunHandlers<E extends { type: string }> = {
  [T in E['type']]?: (tx: Transaction, events: readonly ForeignEvent<Extract<E, { type: T }>>[]) => Promise<void>;
};

export interface ForeignProjectionDefinition<E extends { type: string }> {
  /** Names the consumer (and its group). */
  name: string;
  /** The other service's events topic. */
  topic: TopicSpec;
  deadLetterTopic: TopicSpec;
  /** The other service's event contract: its schema and the wire name of each type. */
  schema: z.ZodType<E>;
  wireNames: Record<E['type'], string>;
  handlers: ForeignEventHandlers<E>;
  /** Types applied a run at a time when the consumer handles a fetched batch (one statement for a run, not one an event). */
  runHandlers?: ForeignEventRunHandlers<E>;
  /** Read only through `catchUp` or `processedThroughWaiter`, it rests after its fetches (ADR 0052). */
  gathersRecords?: boolean;
}

/**
 * A consumer keeping this service's own table of another service's events (see `foreignEventHandler`), in a slice.
 */
export function foreignProjection<E extends { type: string }>(
  definition: ForeignProjectionDefinition<E>,
): ConsumerDefinition {
  const handle = foreignEventHandler(definition);
  const handleBatch = definition.runHandlers ? foreignEventBatchHandler(definition) : undefined;
  return {
    name: definition.name,
    topics: [definition.topic],
    deadLetterTopic: definition.deadLetterTopic,
    handle,
    ...(handleBatch ? { handleBatch } : {}),
    ...(definition.gathersRecords ? { gathersRecords: true } : {}),
  };
}

/**
 * Reads each record with the other service's contract and hands it to its type's handler in the consumer's
 * transaction (with the offset); an event type the contract does not name yet is skipped and counted, a record
 * breaking the contract is dead-lettered.
 */
export function foreignEventHandler<E extends { type: string }>(
  definition: Pick<ForeignProjectionDefinition<E>, 'schema' | 'wireNames' | 'handlers'>,
): RecordHandler {
  return async (tx, record, context) => {
    const decoded = decodeEventRecord(record, definition.schema, definition.wireNames);
    if (!decoded) {
      context.skip();
      return;
    }
    context.setType(decoded.wireType);
    const { event, metadata, version } = decoded;
    const handler = definition.handlers[event.type as E['type']] as (
      tx: Transaction,
      event: E,
      source: ForeignEventSource,
    ) => Promise<void>;
    await handler(tx, event, { metadata, version, record, context });
  };
}

/**
 * The batch handler of a foreign projection with `runHandlers`: the batch's records read in order, each run of
 * consecutive events of a type that has a run handler applied at once, every other event by its type's handler.
 */
export function foreignEventBatchHandler<E extends { type: string }>(
  definition: Pick<ForeignProjectionDefinition<E>, 'schema' | 'wireNames' | 'handlers' | 'runHandlers'>,
): BatchHandler {
  const runHandlers = (definition.runHandlers ?? {}) as Record<string, RunHandler<E> | undefined>;
  return async (tx, records, { logger, outcomes }) => {
    let run: { type: string; events: ForeignEvent<E>[] } | undefined;
    const applyRun = async () => {
      if (run) await runHandlers[run.type]?.(tx, run.events);
      run = undefined;
    };
    for (const record of records) {
      const outcome: RecordOutcome = { type: 'unknown', outcome: 'handled' };
      outcomes?.push(outcome);
      const context = recordContext(logger, outcome);
      const decoded = decodeEventRecord(record, definition.schema, definition.wireNames);
      if (!decoded) {
        context.skip();
        continue;
      }
      outcome.type = decoded.wireType;
      const { event, metadata, version } = decoded;
      const source = { metadata, version, record, context };
      if (run?.type !== event.type) await applyRun();
      if (runHandlers[event.type]) {
        run ??= { type: event.type, events: [] };
        run.events.push({ event, source });
        continue;
      }
      const handler = definition.handlers[event.type as E['type']] as SingleHandler<E>;
      await handler(tx, event, source);
    }
    await applyRun();
  };
}

type SingleHandler<E> = (tx: Transaction, event: E, source: ForeignEventSource) => Promise<void>;
type RunHandler<E> = (tx: Transaction, events: readonly ForeignEvent<E>[]) => Promise<void>;

function recordContext(logger: Logger, outcome: RecordOutcome): RecordContext {
  return {
    logger,
    setType: (type) => {
      outcome.type = type;
    },
    skip: () => {
      outcome.outcome = 'unknown_type';
    },
  };
}
