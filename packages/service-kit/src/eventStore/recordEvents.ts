import { type EventMetadata, Headers } from '@afternoon/contracts/messaging';
import { enqueueOutbox, type OutboxMessage } from '../outbox/outbox';
import type { Transaction } from '../postgres/database';
import { type Projection, projectEvents } from '../projections/projection';
import { appendToStreams, type NewEvent, type StoredEvent } from './eventStore';

/** Where recorded events go once stored: the read models kept in step, and the topic each is published on. */
export interface EventRouting {
  /** The read models kept in step in the same transaction (each applies the types it handles). */
  projections: readonly Projection[];
  wireNames: Record<string, string>;
  /** The full name of the topic each event is published on. */
  topicOf(event: StoredEvent): string;
  /** The data an event is published with, when the topic must not carry all the store keeps (e.g. a secret). */
  publishedData?(event: StoredEvent): unknown;
}

/** Events decided for one stream. */
export interface StreamEvents {
  streamId: string;
  /**
   * The stream's version the events were decided at (a command's history); `latest` appends after whatever the
   * stream holds, for events a consumer decides from its own records rather than from the stream.
   */
  expectedVersion: number | 'latest';
  events: readonly NewEvent[];
  metadata: EventMetadata;
  /** Headers their messages carry beyond their own: the trace of the command that decided them, in a batch. */
  headers?: Record<string, string>;
}

/** Events decided for one stream, and where they go once stored. */
export type EventsToRecord = StreamEvents & EventRouting;

/**
 * The one way a service records events: appended to their stream, projected, and queued in the outbox for their
 * topic, all in the caller's transaction, so the store, the read models and what is published never disagree.
 */
export async function recordEvents(tx: Transaction, schema: string, record: EventsToRecord): Promise<StoredEvent[]> {
  return recordStreams(tx, schema, [record], record);
}

/**
 * `recordEvents` for many streams at once (a batch of decisions): one append, the projections over all of them (a
 * projection with `applyAll` once), one outbox insert.
 */
export async function recordStreams(
  tx: Transaction,
  schema: string,
  streams: readonly StreamEvents[],
  { projections, wireNames, topicOf, publishedData }: EventRouting,
): Promise<StoredEvent[]> {
  const recorded = streams.filter((stream) => stream.events.length > 0);
  if (recorded.length === 0) return [];
  const latest = await latestVersions(
    tx,
    recorded.filter((stream) => stream.expectedVersion === 'latest').map((stream) => stream.streamId),
  );
  const appends = recorded.map(({ streamId, expectedVersion, events, metadata }) => {
    if (expectedVersion !== 'latest') return { streamId, expectedVersion, events, metadata };
    // A stream named twice with `latest` goes on after its own first events.
    const version = latest.get(streamId) ?? 0;
    latest.set(streamId, version + events.length);
    return { streamId, expectedVersion: version, events, metadata };
  });
  const stored = await appendToStreams(tx, appends);
  await projectEvents(tx, projections, stored);
  // appendToStreams answers in the order given, so each stream's events are the next `events.length` stored.
  const headersOfEach = recorded.flatMap(({ events, headers }) => events.map(() => headers));
  await enqueueOutbox(
    tx,
    schema,
    stored.map((event, index) => {
      const message = eventMessage(
        topicOf(event),
        wireNames,
        publishedData ? { ...event, data: publishedData(event) } : event,
      );
      const extra = headersOfEach[index];
      return extra ? { ...message, headers: { ...extra, ...message.headers } } : message;
    }),
  );
  return stored;
}

/** Each stream's last version (0 for a new one), in one statement: a lookup by the key per stream. */
async function latestVersions(tx: Transaction, streamIds: readonly string[]): Promise<Map<string, number>> {
  if (streamIds.length === 0) return new Map();
  const { rows } = await tx.query<{ stream_id: string; version: number }>(
    `SELECT s.stream_id, coalesce((SELECT max(version) FROM events WHERE stream_id = s.stream_id), 0)::int AS version
       FROM unnest($1::text[]) AS s (stream_id)`,
    [[...new Set(streamIds)]],
  );
  return new Map(rows.map((row) => [row.stream_id, row.version]));
}

/** A stored event as its topic carries it (keyed by stream id, under its versioned wire name), for the outbox. */
export function eventMessage(topic: string, wireNames: Record<string, string>, event: StoredEvent): OutboxMessage {
  const wireName: string | undefined = wireNames[event.type];
  if (!wireName) throw new Error(`event type ${event.type} has no wire name`);
  return {
    topic,
    key: event.streamId,
    headers: {
      [Headers.eventType]: wireName,
      [Headers.correlationId]: event.metadata.correlation_id,
      [Headers.organizationId]: event.metadata.organization_id,
      [Headers.mode]: event.metadata.mode,
    },
    payload: {
      event_id: event.eventId,
      type: wireName,
      stream_id: event.streamId,
      version: event.version,
      data: event.data,
      metadata: event.metadata,
    },
  };
}
