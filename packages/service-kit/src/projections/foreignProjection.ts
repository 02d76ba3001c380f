import type { EventMetadata } from '@afternoon/contracts/messaging';
import type { TopicSpec } from '@afternoon/contracts/topics';
import type { z } from 'zod';
import { decodeEventRecord } from '../consumer/eventRecords';
import type { ConsumedRecord, RecordContext, RecordHandler } from '../consumer/records';
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
}

/**
 * A consumer keeping this service's own table of another service's events (see `foreignEventHandler`), in a slice.
 */
export function foreignProjection<E extends { type: string }>(
  definition: ForeignProjectionDefinition<E>,
): ConsumerDefinition {
  return {
    name: definition.name,
    topics: [definition.topic],
    deadLetterTopic: definition.deadLetterTopic,
    handle: foreignEventHandler(definition),
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
