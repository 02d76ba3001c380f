import type { UsageOutcomeAnswer } from '@afternoon/contracts/meteredUsage';
import { type NotifiedWait, notifyWaiters, type Queryable, type Tenant, usageIdOf } from '@afternoon/service-kit';

/** The channel the usage consumer notifies when it commits outcomes, for the reads waiting on one. */
export const usageOutcomesChannel = (schema: string) => `${schema}_usage_outcomes`;

/** Wakes the outcome waits of `schema` once the caller's transaction (the one that decides records) commits. */
export const notifyUsageOutcomes = (tx: Queryable, schema: string) => notifyWaiters(tx, usageOutcomesChannel(schema));

/**
 * The outcome of the record at `source`, waiting up to `waitMs` for one (or until `signal`): `pending` only once that
 * has passed.
 */
export async function awaitedUsageOutcome(
  db: Queryable,
  outcomes: NotifiedWait,
  tenant: Tenant,
  source: string,
  { waitMs, signal }: { waitMs: number; signal?: AbortSignal },
): Promise<UsageOutcomeAnswer> {
  const decided = async () => {
    const answer = await usageOutcome(db, tenant, source);
    return answer.outcome === 'pending' ? undefined : answer;
  };
  return (await outcomes.until(decided, waitMs, signal)) ?? { outcome: 'pending' };
}

/**
 * What metering made of the ingest record at `source` (`<topic>/<partition>/<offset>`, as `sourceOf` names it), for
 * the tenant that sent it: the event it stored, the stored event it repeated, why it was refused, or nothing yet.
 * Each outcome is committed with the record's offset, so once one is seen it never changes.
 */
export async function usageOutcome(db: Queryable, tenant: Tenant, source: string): Promise<UsageOutcomeAnswer> {
  const { rows } = await db.query<{
    outcome: 'stored' | 'duplicate' | 'rejected';
    idempotency_key: string | null;
    reason_code: string | null;
    reason: string | null;
  }>(
    `SELECT 'stored' AS outcome, idempotency_key, NULL AS reason_code, NULL AS reason
       FROM usage_events WHERE source = $1 AND organization_id = $2 AND mode = $3
     UNION ALL
     SELECT 'duplicate', idempotency_key, NULL, NULL
       FROM usage_duplicates WHERE source = $1 AND organization_id = $2 AND mode = $3
     UNION ALL
     SELECT 'rejected', NULL, reason_code, reason
       FROM rejected_events WHERE source = $1 AND organization_id = $2 AND mode = $3`,
    [source, tenant.organizationId, tenant.mode],
  );
  const [row] = rows;
  if (!row) return { outcome: 'pending' };
  if (row.outcome === 'rejected')
    return { outcome: 'rejected', reason_code: row.reason_code ?? '', reason: row.reason ?? '' };
  return { outcome: row.outcome, usage_id: usageIdOf(tenant.organizationId, tenant.mode, row.idempotency_key ?? '') };
}
