import type { Mode } from '@afternoon/contracts/common';
import type { InvoiceEmailKind } from '@afternoon/contracts/invoiceEmails';
import type { InvoicePayload } from '@afternoon/contracts/webhookCatalog';
import { withTransaction } from '@afternoon/service-kit';
import type pg from 'pg';

/** An email a sender holds until `leasedUntil`, with what sending it needs. */
export interface ClaimedEmail {
  id: string;
  organizationId: string;
  mode: Mode;
  kind: InvoiceEmailKind;
  to: string;
  eventId: string;
  invoice: InvoicePayload;
  leasedUntil: Date;
}

interface ClaimRow {
  id: string;
  organization_id: string;
  mode: Mode;
  kind: InvoiceEmailKind;
  recipient: string;
  event_id: string;
  invoice: InvoicePayload;
  leased_until: Date;
}

/**
 * Leases up to `count` due emails for one send each, oldest due first, as the webhook sender leases deliveries: the
 * lease is committed before the send, so no lock is held during it, and an email whose sender was killed mid-send is
 * due again once its lease passes. A reminder on a test clock is due once that clock reads its `remind_at` too.
 */
export async function claimDueEmails(
  pool: pg.Pool,
  now: Date,
  count: number,
  leaseMs: number,
): Promise<ClaimedEmail[]> {
  const { rows } = await withTransaction(pool, (tx) =>
    tx.query<ClaimRow>(
      // Each clock's due emails by their index (the test clocks' from the clock's time): a reminder waiting for its
      // test clock is not looked at again on every turn.
      `WITH on_real_clock AS (
         SELECT id, next_attempt_at FROM email_deliveries
          WHERE status = 'pending' AND test_clock_id IS NULL AND next_attempt_at <= $1
            AND (leased_until IS NULL OR leased_until <= $1)
          ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED),
       on_test_clock AS (
         SELECT d.id, d.next_attempt_at FROM email_test_clocks c
           JOIN email_deliveries d ON d.organization_id = c.organization_id AND d.mode = c.mode
            AND d.test_clock_id = c.id AND d.status = 'pending' AND d.remind_at <= c.frozen_time
          WHERE d.next_attempt_at <= $1 AND (d.leased_until IS NULL OR d.leased_until <= $1)
          ORDER BY d.next_attempt_at, d.id LIMIT $3 FOR UPDATE OF d SKIP LOCKED)
       UPDATE email_deliveries SET leased_until = $2
        WHERE id IN (SELECT id FROM (SELECT * FROM on_real_clock UNION ALL SELECT * FROM on_test_clock) due
                      ORDER BY next_attempt_at, id LIMIT $3)
        RETURNING id, organization_id, mode, kind, recipient, event_id, invoice, leased_until`,
      [now, new Date(now.getTime() + leaseMs), count],
    ),
  );
  return rows.map((row) => ({
    id: row.id,
    organizationId: row.organization_id,
    mode: row.mode,
    kind: row.kind,
    to: row.recipient,
    eventId: row.event_id,
    invoice: row.invoice,
    leasedUntil: row.leased_until,
  }));
}
