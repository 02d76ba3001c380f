import type { Mode } from '@afternoon/contracts/common';
import { type Queryable, withTransaction } from '@afternoon/service-kit';
import type pg from 'pg';
import { signingSecretsOf } from '../endpoints/getWebhookEndpoints';

/** A delivery a sender holds until `leasedUntil`, with what sending it needs. */
export interface ClaimedDelivery {
  id: string;
  organizationId: string;
  mode: Mode;
  endpointId: string;
  eventId: string;
  leasedUntil: Date;
  /** Null when the endpoint was deleted. */
  url: string | null;
  secrets: string[];
  /** The event's body exactly as the catalog recorded it; null if the event is not (or no longer) known. */
  body: string | null;
}

export interface ClaimLimits {
  /** The most deliveries claimed at once. */
  count: number;
  /** The most deliveries of one endpoint being sent at a time, by every sender together. */
  perEndpoint: number;
  leaseMs: number;
}

/**
 * Leases due deliveries for one send each: pending, due at `now`, not leased by another sender, at most
 * `perEndpoint` of an endpoint counting those already being sent (so a slow endpoint's backlog never fills the
 * claim), oldest due first. The lease is committed before the send, so no lock is held during it, and a sender
 * killed mid-send leaves a delivery that is due again once its lease passes.
 */
export async function claimDueDeliveries(pool: pg.Pool, now: Date, limits: ClaimLimits): Promise<ClaimedDelivery[]> {
  const leasedUntil = new Date(now.getTime() + limits.leaseMs);
  const ids = await withTransaction(pool, async (tx) => {
    const { rows } = await tx.query<{ id: string }>(
      `WITH due AS (
         SELECT id, endpoint_id, next_attempt_at,
                row_number() OVER (PARTITION BY endpoint_id ORDER BY next_attempt_at, id) AS place
           FROM webhook_deliveries
          WHERE status = 'pending' AND next_attempt_at <= $1 AND (leased_until IS NULL OR leased_until <= $1)
       ), sending AS (
         SELECT endpoint_id, count(*) AS leased FROM webhook_deliveries
          WHERE status = 'pending' AND leased_until > $1 GROUP BY endpoint_id
       )
       SELECT d.id FROM webhook_deliveries d
         JOIN due ON due.id = d.id
         LEFT JOIN sending ON sending.endpoint_id = due.endpoint_id
        WHERE due.place + coalesce(sending.leased, 0) <= $2
        ORDER BY due.next_attempt_at, due.id
        LIMIT $3
        FOR UPDATE OF d SKIP LOCKED`,
      [now, limits.perEndpoint, limits.count],
    );
    if (rows.length === 0) return [];
    const claimed = rows.map((row) => row.id);
    await tx.query('UPDATE webhook_deliveries SET leased_until = $2 WHERE id = ANY($1::text[])', [
      claimed,
      leasedUntil,
    ]);
    return claimed;
  });
  return ids.length === 0 ? [] : claimedDeliveries(pool, ids, now);
}

interface ClaimRow {
  id: string;
  organization_id: string;
  mode: Mode;
  endpoint_id: string;
  event_id: string;
  leased_until: Date;
  url: string | null;
  body: string | null;
}

async function claimedDeliveries(db: Queryable, ids: readonly string[], now: Date): Promise<ClaimedDelivery[]> {
  const { rows } = await db.query<ClaimRow>(
    `SELECT d.id, d.organization_id, d.mode, d.endpoint_id, d.event_id, d.leased_until,
            e.url, ev.body
       FROM webhook_deliveries d
       LEFT JOIN webhook_endpoints e
         ON e.id = d.endpoint_id AND e.organization_id = d.organization_id AND e.mode = d.mode
       LEFT JOIN webhook_events ev
         ON ev.id = d.event_id AND ev.organization_id = d.organization_id AND ev.mode = d.mode
      WHERE d.id = ANY($1::text[])`,
    [ids],
  );
  const claimed: ClaimedDelivery[] = [];
  for (const row of rows)
    claimed.push({
      id: row.id,
      organizationId: row.organization_id,
      mode: row.mode,
      endpointId: row.endpoint_id,
      eventId: row.event_id,
      leasedUntil: row.leased_until,
      url: row.url,
      secrets: await signingSecretsOf(db, row.endpoint_id, now),
      body: row.body,
    });
  return claimed;
}
