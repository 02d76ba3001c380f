import { type EventMetadata, EventRecord, Headers } from '@afternoon/contracts/messaging';
import type { z } from 'zod';
import { PoisonRecordError } from '../errors';
import type { ConsumedRecord } from './records';

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
 * name (a newer event to skip, or one this consumer has no use for), a PoisonRecordError for a record that breaks
 * the contract. A record whose type header names a type the contract does not is skipped unread: every consumer of a
 * topic sees every record, most of them other consumers' (an invoice's whole document, for a test clock's feed).
 */
export function decodeEventRecord<E extends { type: string }>(
  record: ConsumedRecord,
  schema: z.ZodType<E>,
  wireNames: Record<E['type'], string>,
): DecodedEvent<E> | undefined {
  const typeOf = typesByWireName(wireNames);
  const namedType = record.headers[Headers.eventType];
  if (namedType !== undefined && !typeOf.has(namedType)) return undefined;
  const envelope = EventRecord.safeParse(parseRecordJson(record.value));
  if (!envelope.success) throw new PoisonRecordError(`invalid event record: ${envelope.error.message}`);
  const { type: wireType, data, metadata, version } = envelope.data;
  const type = typeOf.get(wireType);
  if (!type) return undefined;
  const parsed = schema.safeParse({ type, data });
  if (!parsed.success) throw new PoisonRecordError(`invalid ${wireType}: ${parsed.error.message}`);
  return { event: parsed.data, wireType, version, metadata };
}

const typesByWire = new WeakMap<object, Map<string, string>>();

/** A contract's event types by their wire names, made once per contract. */
function typesByWireName(wireNames: Record<string, string>): Map<string, string> {
  let types = typesByWire.get(wireNames);
  if (!types) {
    types = new Map(Object.entries(wireNames).map(([type, wire]) => [wire, type]));
    typesByWire.set(wireNames, types);
  }
  return types;
}
