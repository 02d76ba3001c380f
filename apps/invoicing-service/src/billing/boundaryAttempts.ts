import type { ApiError } from '@afternoon/contracts/common';
import type { Queryable, Tenant } from '@afternoon/service-kit';

/** A boundary of a subscription that was sent and has no invoice yet. */
export interface BoundaryAttempt {
  subscriptionId: string;
  boundary: Date;
}

/** A boundary billed more than once without an invoice to show for it, as the billing-run status read lists it. */
export interface StuckBoundary {
  subscription_id: string;
  boundary: string;
  attempts: number;
  /** Why its last refused command was refused; null when no reply came (dead-lettered, or still queued). */
  last_error: ApiError | null;
  first_sent_at: string;
  last_sent_at: string;
}

/** Why the command was refused, from its stored reply; null while it has none or when it succeeded. */
export async function commandRefusal(db: Queryable, commandId: string): Promise<ApiError | null> {
  const { rows } = await db.query<{ error: ApiError }>(
    `SELECT reply->'error' AS error FROM handled_commands WHERE command_id = $1 AND (reply->>'ok')::boolean = false`,
    [commandId],
  );
  return rows[0]?.error ?? null;
}

/** Records that the boundary is sent again after `attempts - 1` tries brought no invoice; `error` from the last. */
export async function recordBoundaryRetry(
  db: Queryable,
  tenant: Tenant,
  attempt: BoundaryAttempt & { attempts: number; firstSentAt: Date; error: ApiError | null },
  at: Date,
): Promise<void> {
  await db.query(
    `INSERT INTO boundary_billing_attempts
       (subscription_id, boundary, organization_id, mode, attempts, last_error, first_sent_at, last_sent_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (subscription_id, boundary) DO UPDATE SET
       attempts = greatest(boundary_billing_attempts.attempts + 1, EXCLUDED.attempts),
       last_error = coalesce(EXCLUDED.last_error, boundary_billing_attempts.last_error),
       last_sent_at = EXCLUDED.last_sent_at`,
    [
      attempt.subscriptionId,
      attempt.boundary,
      tenant.organizationId,
      tenant.mode,
      attempt.attempts,
      attempt.error && JSON.stringify(attempt.error),
      attempt.firstSentAt,
      at,
    ],
  );
}

/** Forgets the attempts at boundaries that are billed now (the subscription's billing has reached them). */
export async function forgetBilledBoundaries(db: Queryable): Promise<void> {
  await db.query(
    `DELETE FROM boundary_billing_attempts a USING subscriptions s
      WHERE s.id = a.subscription_id AND (s.billed_through >= a.boundary OR s.billing_finished)`,
  );
}

/** The tenant's boundaries that were sent more than once and still have no invoice, oldest first. */
export async function stuckBoundaries(db: Queryable, tenant: Tenant): Promise<StuckBoundary[]> {
  const { rows } = await db.query<{
    subscription_id: string;
    boundary: Date;
    attempts: number;
    last_error: ApiError | null;
    first_sent_at: Date;
    last_sent_at: Date;
  }>(
    `SELECT subscription_id, boundary, attempts, last_error, first_sent_at, last_sent_at
       FROM boundary_billing_attempts WHERE organization_id = $1 AND mode = $2
      ORDER BY first_sent_at, subscription_id, boundary`,
    [tenant.organizationId, tenant.mode],
  );
  return rows.map((row) => ({
    ...row,
    boundary: row.boundary.toISOString(),
    first_sent_at: row.first_sent_at.toISOString(),
    last_sent_at: row.last_sent_at.toISOString(),
  }));
}
