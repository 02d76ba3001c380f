import { type EventMetadata, EventRecord } from '@afternoon/contracts/messaging';
import type { z } from 'zod';
import { PoisonRecordError } from '../errors';
import type { ConsumedRecord } from './idempotentConsumer';

/** A record's value as JSON, or undefined when it is absent or not JSON (the schema then refuses it). */
export function parseRecordJson(value: string | null): unknown {
  if (value === null) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

export interface DecodedEvent<E> {
  event: E;
  wireType: string;
  version: number;
  metadata: EventMetadata;
}

/**
 * Reads another service's event record with its contract: undefined for an event type the contract does not
 * name (a newer event to skip), a PoisonRecordError for a record that breaks the contract.
 */
export function decodeEventRecord<E extends { type: string }>(
  record: ConsumedRecord,
  schema: z.ZodType<E>,
  wireNames: Record<E['type'], string>,
): DecodedEvent<E> | undefined {
  const envelope = EventRecord.safeParse(parseRecordJson(record.value));
  if (!envelope.success) throw new PoisonRecordError(`invalid event record: ${envelope.error.message}`);
  const { type: wireType, data, metadata, version } = envelope.data;
  const type = Object.entries(wireNames).find(([, wire]) => wire === wireType)?.[0];
  if (!type) return undefined;
  const parsed = schema.safeParse({ type, data });
  if (!parsed.success) throw new PoisonRecordError(`invalid ${wireType}: ${parsed.error.message}`);
  return { event: parsed.data, wireType, version, metadata };
}
