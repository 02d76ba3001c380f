import { unstorableValues } from '@afternoon/contracts/common';
import { Headers } from '@afternoon/contracts/messaging';
import type { RejectedEventList, RejectionReason, UsageRecord } from '@afternoon/contracts/usage';
import {
  type ConsumedRecord,
  enqueueOutbox,
  parseRecordJson,
  type Queryable,
  SqlParameters,
  type Tenant,
  type Transaction,
} from '@afternoon/service-kit';
import { receivedAtOf, sourceOf } from './receivedAt';

/** Why a record is refused: the kind, which the ingest summary counts by, and the detail the caller reads. */
export interface Refusal {
  code: RejectionReason;
  reason: string;
}

/**
 * Refuses an ingest record: lists it in `rejected_events` and queues it for the dead-letter topic with the reason and
 * its code (headers).
 * The outbox publishes the parsed JSON (or the raw text when it was not JSON, or held what Postgres cannot store).
 */
export async function rejectRecord(
  tx: Transaction,
  target: { schema: string; deadLetterTopic: string },
  record: ConsumedRecord,
  { code, reason }: Refusal,
  usage?: UsageRecord,
): Promise<void> {
  const source = sourceOf(record);
  const named = usage ?? namedByRaw(record.value);
  const inserted = await tx.query(
    `INSERT INTO rejected_events
       (source, organization_id, mode, idempotency_key, customer_id, reason, reason_code, record, received_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (source) DO NOTHING`,
    [
      source,
      named?.organization_id ?? null,
      named?.mode ?? null,
      named?.idempotency_key ?? null,
      named?.customer_id ?? null,
      reason,
      code,
      storableRaw(record.value),
      receivedAtOf(record),
    ],
  );
  if (inserted.rowCount === 0) return;
  const parsed = parseRecordJson(record.value);
  await enqueueOutbox(tx, target.schema, [
    {
      topic: target.deadLetterTopic,
      key: storableRaw(record.key),
      headers: {
        ...Object.fromEntries(Object.entries(record.headers).map(([name, value]) => [name, storableRaw(value)])),
        [Headers.deadLetterReason]: reason,
        [Headers.deadLetterReasonCode]: code,
        [Headers.deadLetterSource]: source,
      },
      payload: parsed !== undefined && unstorableValues(parsed).length === 0 ? parsed : storableRaw(record.value),
    },
  ]);
}

/**
 * Raw record text as Postgres can hold it. Decoded bytes never hold a lone surrogate, but may hold NUL (a `\u0000`
 * in JSON is six characters, so this only touches records that were not JSON): it becomes U+FFFD.
 */
function storableRaw<Text extends string | null>(text: Text): Text {
  return (text === null ? text : text.replaceAll('\u0000', '\uFFFD')) as Text;
}

interface RawNames {
  organization_id: string;
  mode: string;
  idempotency_key?: string;
  customer_id?: string;
}

/**
 * A record too broken to pass its contract may still say whose it is, and which event: then its owner can list it
 * and find it by the idempotency key they sent.
 */
function namedByRaw(value: string | null): RawNames | undefined {
  const raw = parseRecordJson(value) as Record<string, unknown> | undefined;
  const organizationId = storableName(raw?.organization_id);
  if (!organizationId || (raw?.mode !== 'live' && raw?.mode !== 'test')) return undefined;
  const idempotencyKey = storableName(raw.idempotency_key);
  const customerId = storableName(raw.customer_id);
  return {
    organization_id: organizationId,
    mode: raw.mode,
    ...(idempotencyKey ? { idempotency_key: idempotencyKey } : {}),
    ...(customerId ? { customer_id: customerId } : {}),
  };
}

function storableName(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 255) return undefined;
  return unstorableValues(value).length === 0 ? value : undefined;
}

/** Newest first, keyset-paginated on the row id. */
export async function listRejectedEvents(
  db: Queryable,
  tenant: Tenant,
  page: { limit: number; cursor?: string | undefined },
): Promise<RejectedEventList> {
  const params = new SqlParameters();
  const conditions = [`organization_id = ${params.add(tenant.organizationId)}`, `mode = ${params.add(tenant.mode)}`];
  if (page.cursor && /^\d+$/.test(page.cursor)) conditions.push(`id < ${params.add(page.cursor)}`);
  const { rows } = await db.query<{
    id: string;
    reason: string;
    reason_code: RejectionReason;
    received_at: Date;
    idempotency_key: string | null;
    customer_id: string | null;
    record: string | null;
    rejected_at: Date;
  }>(
    params.query(`SELECT id::text, reason, reason_code, received_at, idempotency_key, customer_id, record, rejected_at
       FROM rejected_events
      WHERE ${conditions.join(' AND ')} ORDER BY id DESC LIMIT ${params.add(page.limit + 1)}`),
  );
  const shown = rows.slice(0, page.limit);
  const hasMore = rows.length > page.limit;
  return {
    rejected_events: shown.map((row) => ({
      ...row,
      received_at: row.received_at.toISOString(),
      rejected_at: row.rejected_at.toISOString(),
    })),
    pagination: { has_more: hasMore, next_cursor: hasMore ? (shown[shown.length - 1]?.id ?? null) : null },
  };
}
