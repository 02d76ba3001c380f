import { randomUUID } from 'node:crypto';
import type { EventMetadata } from '@afternoon/contracts/messaging';
import { ConcurrencyError } from '../errors';
import { isUniqueViolation, type Queryable, type Transaction } from '../postgres/database';
import { SqlParameters } from '../postgres/sqlParameters';

/** An event as the domain produces it. */
export interface NewEvent {
  type: string;
  data: unknown;
}

/** An event as stored: its place in its stream and in the global order. */
export interface StoredEvent extends NewEvent {
  eventId: string;
  streamId: string;
  version: number;
  position: string;
  transactionId: string;
  metadata: EventMetadata;
}

/** Where an ordered reader stopped: the pair, because positions alone are taken before commit. */
export interface GlobalCheckpoint {
  transactionId: string;
  position: string;
}

export const startOfEventStore: GlobalCheckpoint = { transactionId: '0', position: '0' };

interface EventRow {
  event_id: string;
  stream_id: string;
  version: number;
  position: string;
  transaction_id: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
}

// position and transaction_id are read as text (bigint and xid8 exceed a JS number); ORDER BY must name the table's
// columns, or it sorts by these text outputs ("10" before "9").
const columns = 'event_id, stream_id, version, position::text, transaction_id::text, type, data, metadata';

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    eventId: row.event_id,
    streamId: row.stream_id,
    version: row.version,
    position: row.position,
    transactionId: row.transaction_id,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
  };
}

/** One organization's view of a stream: another tenant's stream with the same id reads as empty. */
export async function readStream(
  db: Queryable,
  streamId: string,
  tenant: { organizationId: string; mode: string },
): Promise<StoredEvent[]> {
  const { rows } = await db.query<EventRow>(
    `SELECT ${columns} FROM events WHERE stream_id = $1 AND organization_id = $2 AND mode = $3 ORDER BY version`,
    [streamId, tenant.organizationId, tenant.mode],
  );
  return rows.map(toStoredEvent);
}

/** A stream as one organization sees it (`readStream`'s arguments). */
export interface TenantStream {
  streamId: string;
  organizationId: string;
  mode: string;
}

/** The key `readStreams` answers each stream under. */
export function tenantStreamKey({ streamId, organizationId, mode }: TenantStream): string {
  return JSON.stringify([organizationId, mode, streamId]);
}

/** `readStream` for many streams in one statement, each under its `tenantStreamKey` (a stream with no events: none). */
export async function readStreams(
  db: Queryable,
  streams: readonly TenantStream[],
): Promise<Map<string, StoredEvent[]>> {
  const distinct = [...new Map(streams.map((stream) => [tenantStreamKey(stream), stream])).values()];
  if (distinct.length === 0) return new Map();
  const { rows } = await db.query<EventRow & { organization_id: string; mode: string }>(
    `SELECT ${columns}, organization_id, mode FROM events
       JOIN unnest($1::text[], $2::text[], $3::text[]) AS wanted (stream_id, organization_id, mode)
       USING (stream_id, organization_id, mode)
      ORDER BY events.stream_id, events.version`,
    [distinct.map((s) => s.streamId), distinct.map((s) => s.organizationId), distinct.map((s) => s.mode)],
  );
  const byStream = new Map<string, StoredEvent[]>();
  for (const row of rows) {
    const key = tenantStreamKey({ streamId: row.stream_id, organizationId: row.organization_id, mode: row.mode });
    byStream.set(key, [...(byStream.get(key) ?? []), toStoredEvent(row)]);
  }
  return byStream;
}

/** Events decided for one stream at `expectedVersion`, with the metadata they share. */
export interface StreamAppend {
  streamId: string;
  expectedVersion: number;
  events: readonly NewEvent[];
  metadata: EventMetadata;
}

/** Events per insert statement, far inside Postgres's 65,535 parameters (eight per event at most). */
const eventsPerInsert = 1_000;

/**
 * Appends events after `expectedVersion`; a writer that got there first makes the primary key refuse the
 * insert, which surfaces as a ConcurrencyError.
 */
export async function appendToStream(
  tx: Transaction,
  streamId: string,
  expectedVersion: number,
  events: readonly NewEvent[],
  metadata: EventMetadata,
): Promise<StoredEvent[]> {
  return appendToStreams(tx, [{ streamId, expectedVersion, events, metadata }]);
}

/**
 * Appends each stream's events after its `expectedVersion`, many streams in one statement; answers the stored
 * events in the order given. A stream another writer moved past its version refuses them all (ConcurrencyError).
 */
export async function appendToStreams(tx: Transaction, appends: readonly StreamAppend[]): Promise<StoredEvent[]> {
  const rows = appends.flatMap(({ streamId, expectedVersion, events, metadata }) =>
    events.map((event, index) => ({ streamId, version: expectedVersion + index + 1, event, metadata })),
  );
  const stored: StoredEvent[] = [];
  for (let start = 0; start < rows.length; start += eventsPerInsert) {
    const params = new SqlParameters();
    const sharedOf = new Map<EventMetadata, string>();
    const tuples = rows.slice(start, start + eventsPerInsert).map(({ streamId, version, event, metadata }) => {
      let shared = sharedOf.get(metadata);
      if (!shared) {
        shared = params.list([JSON.stringify(metadata), metadata.organization_id, metadata.mode]);
        sharedOf.set(metadata, shared);
      }
      return `(${params.list([streamId, version, randomUUID(), event.type, JSON.stringify(event.data)])}, ${shared})`;
    });
    const insert = params.query(
      `INSERT INTO events (stream_id, version, event_id, type, data, metadata, organization_id, mode)
        VALUES ${tuples.join(', ')} RETURNING ${columns}`,
    );
    try {
      const { rows: inserted } = await tx.query<EventRow>(insert);
      stored.push(...inserted.map(toStoredEvent));
    } catch (error) {
      if (isUniqueViolation(error, 'events_pkey')) throw concurrencyErrorOf(error, appends);
      throw error;
    }
  }
  return stored;
}

/** The stream the primary key named (`Key (stream_id, version)=(…, n)`), or the first when it cannot be told. */
function concurrencyErrorOf(error: unknown, appends: readonly StreamAppend[]): ConcurrencyError {
  const detail = (error as { detail?: unknown }).detail;
  const named = typeof detail === 'string' ? /^Key \(stream_id, version\)=\((.*), \d+\)/.exec(detail)?.[1] : undefined;
  const append = appends.find((candidate) => candidate.streamId === named) ?? appends[0];
  return new ConcurrencyError(append?.streamId ?? 'unknown', append?.expectedVersion ?? 0);
}

/**
 * Reads events in global order after `checkpoint`, never past a transaction that is still open: rows of an
 * uncommitted transaction with a lower position would otherwise be skipped for good once they commit.
 * A caller that holds appends back with a table lock may pass `appendsLocked` to skip that horizon.
 */
export async function readAllEvents(
  db: Queryable,
  checkpoint: GlobalCheckpoint,
  limit: number,
  options: { appendsLocked?: boolean } = {},
): Promise<StoredEvent[]> {
  const horizon = options.appendsLocked ? '' : 'AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())';
  const { rows } = await db.query<EventRow>(
    `SELECT ${columns} FROM events
      WHERE (transaction_id, position) > ($1::xid8, $2::bigint) ${horizon}
      ORDER BY events.transaction_id, events.position
      LIMIT $3`,
    [checkpoint.transactionId, checkpoint.position, limit],
  );
  return rows.map(toStoredEvent);
}

export function checkpointOf(event: StoredEvent): GlobalCheckpoint {
  return { transactionId: event.transactionId, position: event.position };
}
