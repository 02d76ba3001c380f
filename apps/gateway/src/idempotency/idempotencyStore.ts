import { createHash } from 'node:crypto';
import type { CommandRecord } from '@afternoon/contracts/messaging';
import type { Queryable } from '@afternoon/service-kit';
import type { Caller } from '../http/requestContext';
import { type HeldKey, type IdempotencyClaim, outcomeForHeldKey, type StoredResponse } from './idempotencyOutcome';

/** What makes two requests "the same" for an Idempotency-Key: method, path and body. */
export function fingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${path}\n${JSON.stringify(body ?? null)}`)
    .digest('hex');
}

export interface ClaimRequest {
  requestHash: string;
  /** The command this request would send; a request taking over a lapsed claim gets the first one's instead. */
  command: CommandRecord | null;
  /** The request claiming the key (its request id). */
  claimant: string;
  /** How long the claim holds before another request may take the key over. */
  claimMs: number;
}

/**
 * Claims a key in one statement, so of concurrent requests exactly one wins: a new key, or one that is unanswered
 * and whose claim has lapsed (its request gave up or died), is claimed; otherwise the key's state says why not.
 */
export async function claimIdempotencyKey(
  db: Queryable,
  caller: Caller,
  key: string,
  claim: ClaimRequest,
): Promise<IdempotencyClaim> {
  const claimed = await db.query<{ command: CommandRecord | null }>(
    `INSERT INTO idempotency_keys (organization_id, mode, key, request_hash, command, claimed_by, locked_until)
     VALUES ($1, $2, $3, $4, $5, $6, now() + $7::integer * interval '1 millisecond')
     ON CONFLICT (organization_id, mode, key) DO UPDATE
       SET claimed_by = excluded.claimed_by, locked_until = excluded.locked_until
       WHERE idempotency_keys.request_hash = excluded.request_hash
         AND idempotency_keys.response_status IS NULL
         AND (idempotency_keys.locked_until IS NULL OR idempotency_keys.locked_until <= now())
     RETURNING command`,
    [
      caller.organizationId,
      caller.mode,
      key,
      claim.requestHash,
      claim.command === null ? null : JSON.stringify(claim.command),
      claim.claimant,
      claim.claimMs,
    ],
  );
  const won = claimed.rows[0];
  if (won) return { outcome: 'claimed', command: won.command };
  const { rows } = await db.query<HeldKey>(
    'SELECT request_hash, response_status, response_body FROM idempotency_keys WHERE organization_id = $1 AND mode = $2 AND key = $3',
    [caller.organizationId, caller.mode, key],
  );
  const held = rows[0];
  // Forgotten (expired) between the two statements: the key is free again.
  if (!held) return claimIdempotencyKey(db, caller, key, claim);
  return outcomeForHeldKey(held, claim.requestHash);
}

/** Stores the answer, which every later request with the key replays. */
export async function recordIdempotentResponse(
  db: Queryable,
  caller: Caller,
  key: string,
  response: StoredResponse,
): Promise<void> {
  await db.query(
    `UPDATE idempotency_keys SET response_status = $4, response_body = $5, claimed_by = NULL, locked_until = NULL
     WHERE organization_id = $1 AND mode = $2 AND key = $3`,
    [caller.organizationId, caller.mode, key, response.status, JSON.stringify(response.body)],
  );
}

/** Frees a key its claimant could not answer for (a timeout, the broker down), so a retry need not wait. */
export async function releaseIdempotencyKey(db: Queryable, caller: Caller, key: string, claimant: string) {
  await db.query(
    `UPDATE idempotency_keys SET claimed_by = NULL, locked_until = NULL
     WHERE organization_id = $1 AND mode = $2 AND key = $3 AND claimed_by = $4 AND response_status IS NULL`,
    [caller.organizationId, caller.mode, key, claimant],
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
