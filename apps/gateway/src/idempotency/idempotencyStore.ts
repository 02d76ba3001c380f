import { createHash } from 'node:crypto';
import type { CommandRecord } from '@afternoon/contracts/messaging';
import type { Queryable } from '@afternoon/service-kit';
import type { Caller } from '../http/requestContext';

export interface StoredResponse {
  status: number;
  body: unknown;
}

export type IdempotencyClaim =
  | { outcome: 'new'; command: CommandRecord }
  | { outcome: 'pending'; command: CommandRecord }
  | { outcome: 'answered'; response: StoredResponse }
  | { outcome: 'reused_with_other_request' };

/** What makes two requests "the same" for an Idempotency-Key: method, path and body. */
export function fingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${path}\n${JSON.stringify(body ?? null)}`)
    .digest('hex');
}

/**
 * Claims a key for a command. The first request stores its command; a retry gets that same command back
 * (so the service recognises it by command id) or, once answered, the stored response.
 */
export async function claimIdempotencyKey(
  db: Queryable,
  caller: Caller,
  key: string,
  requestHash: string,
  command: CommandRecord,
): Promise<IdempotencyClaim> {
  const inserted = await db.query(
    `INSERT INTO idempotency_keys (organization_id, mode, key, request_hash, command) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT DO NOTHING`,
    [caller.organizationId, caller.mode, key, requestHash, JSON.stringify(command)],
  );
  if (inserted.rowCount === 1) return { outcome: 'new', command };
  const { rows } = await db.query<{
    request_hash: string;
    command: CommandRecord;
    response_status: number | null;
    response_body: unknown;
  }>(
    'SELECT request_hash, command, response_status, response_body FROM idempotency_keys WHERE organization_id = $1 AND mode = $2 AND key = $3',
    [caller.organizationId, caller.mode, key],
  );
  const existing = rows[0];
  if (!existing) throw new Error('idempotency key vanished between insert and select');
  if (existing.request_hash !== requestHash) return { outcome: 'reused_with_other_request' };
  if (existing.response_status !== null) {
    return { outcome: 'answered', response: { status: existing.response_status, body: existing.response_body } };
  }
  return { outcome: 'pending', command: existing.command };
}

export async function recordIdempotentResponse(
  db: Queryable,
  caller: Caller,
  key: string,
  response: StoredResponse,
): Promise<void> {
  await db.query(
    'UPDATE idempotency_keys SET response_status = $4, response_body = $5 WHERE organization_id = $1 AND mode = $2 AND key = $3',
    [caller.organizationId, caller.mode, key, response.status, JSON.stringify(response.body)],
  );
}

/** Keys are kept at least the retention period, then forgotten. */
export async function forgetExpiredIdempotencyKeys(db: Queryable, retentionHours: number): Promise<number> {
  const { rowCount } = await db.query(
    'DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => $1 * 3600)',
    [retentionHours],
  );
  return rowCount ?? 0;
}
