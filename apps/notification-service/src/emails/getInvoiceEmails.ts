import { type EmailAttempt, type InvoiceEmail, InvoiceEmailEvent } from '@afternoon/contracts/invoiceEmails';
import type { Projection, Queryable, Tenant } from '@afternoon/service-kit';

/** `email_deliveries` (one row per email: its status and when it is due, the sender's schedule) and the attempts. */
export const emailDeliveriesProjection: Projection = {
  name: 'email_deliveries',
  tables: ['email_deliveries', 'email_delivery_attempts'],
  handles: [
    'InvoiceEmailScheduled',
    'InvoiceEmailAttempted',
    'InvoiceEmailCanceled',
    'InvoiceEmailRetryRequested',
    'InvoiceEmailRescheduled',
  ],
  async apply(tx, stored) {
    const event = InvoiceEmailEvent.parse(stored);
    const { organization_id, mode } = stored.metadata;
    switch (event.type) {
      case 'InvoiceEmailScheduled': {
        const { data } = event;
        await tx.query(
          `INSERT INTO email_deliveries (id, organization_id, mode, invoice_id, kind, recipient, event_id, invoice,
             status, next_attempt_at, created_at, remind_at, test_clock_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $10, $11, $12) ON CONFLICT (id) DO NOTHING`,
          [
            data.email_id,
            organization_id,
            mode,
            data.invoice_id,
            data.kind,
            data.to,
            data.event_id,
            JSON.stringify(data.invoice),
            data.due_at,
            data.occurred_at,
            data.remind_at,
            data.test_clock_id,
          ],
        );
        return;
      }
      case 'InvoiceEmailAttempted': {
        const { data } = event;
        const { attempt } = data;
        // Numbered by the event's place in the email's stream, so applying it twice logs it once.
        const logged = await tx.query(
          `INSERT INTO email_delivery_attempts (email_id, number, organization_id, mode, attempted_at, succeeded,
             latency_ms, smtp_response, error)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
          [
            data.email_id,
            stored.version,
            organization_id,
            mode,
            attempt.attempted_at,
            data.outcome === 'succeeded',
            attempt.latency_ms,
            attempt.smtp_response,
            attempt.error,
          ],
        );
        if (logged.rowCount === 0) return;
        await tx.query(
          `UPDATE email_deliveries SET status = $2, next_attempt_at = $3, leased_until = NULL
            WHERE id = $1 AND organization_id = $4 AND mode = $5`,
          [
            data.email_id,
            data.outcome === 'retrying' ? 'pending' : data.outcome,
            data.next_attempt_at,
            organization_id,
            mode,
          ],
        );
        return;
      }
      case 'InvoiceEmailCanceled':
        await tx.query(
          `UPDATE email_deliveries SET status = 'canceled', next_attempt_at = NULL, leased_until = NULL
            WHERE id = $1 AND organization_id = $2 AND mode = $3`,
          [event.data.email_id, organization_id, mode],
        );
        return;
      case 'InvoiceEmailRetryRequested':
        await tx.query(
          `UPDATE email_deliveries SET status = 'pending', next_attempt_at = $2, leased_until = NULL
            WHERE id = $1 AND organization_id = $3 AND mode = $4`,
          [event.data.email_id, event.data.due_at, organization_id, mode],
        );
        return;
      case 'InvoiceEmailRescheduled':
        await tx.query(
          `UPDATE email_deliveries SET remind_at = $2, next_attempt_at = $3
            WHERE id = $1 AND organization_id = $4 AND mode = $5`,
          [event.data.email_id, event.data.remind_at, event.data.due_at, organization_id, mode],
        );
        return;
      default: {
        const unknown: never = event;
        return unknown;
      }
    }
  },
};

interface EmailRow {
  id: string;
  kind: InvoiceEmail['kind'];
  recipient: string;
  status: InvoiceEmail['status'];
  next_attempt_at: Date | null;
  remind_at: Date | null;
  created_at: Date;
  attempts: EmailAttempt[];
}

/** The emails of one of the tenant's invoices, oldest first, each with its attempts in order. */
export async function listInvoiceEmails(db: Queryable, tenant: Tenant, invoiceId: string): Promise<InvoiceEmail[]> {
  const { rows } = await db.query<EmailRow>(
    `SELECT id, kind, recipient, status, next_attempt_at, remind_at, created_at,
       coalesce((SELECT json_agg(json_build_object(
           'attempted_at', to_char(a.attempted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           'latency_ms', a.latency_ms, 'smtp_response', a.smtp_response, 'error', a.error) ORDER BY a.number)
         FROM email_delivery_attempts a WHERE a.email_id = email_deliveries.id), '[]') AS attempts
       FROM email_deliveries
      WHERE organization_id = $1 AND mode = $2 AND invoice_id = $3
      ORDER BY created_at, id`,
    [tenant.organizationId, tenant.mode, invoiceId],
  );
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    to: row.recipient,
    status: row.status,
    attempts: row.attempts,
    next_attempt_at: row.next_attempt_at?.toISOString() ?? null,
    remind_at: row.remind_at?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
  }));
}
