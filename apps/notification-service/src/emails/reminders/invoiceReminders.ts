import { InvoicePayload } from '@afternoon/contracts/webhookCatalog';
import type { Queryable, Tenant } from '@afternoon/service-kit';
import type { ScheduledReminder } from './reminderChanges';

/** An open invoice that may be reminded of, with its reminders and its customer's clock. */
export interface RemindableInvoice {
  invoice: InvoicePayload;
  /** The catalog's `invoice.finalized` of it: what its reminders are made for. */
  eventId: string;
  testClock: string | null;
  /** The time on the customer's clock: its test clock's if it has one (null until the clock is known), else now. */
  clockTime: Date | null;
  reminders: (ScheduledReminder & { testClock: string | null })[];
}

interface InvoiceRow {
  event_id: string;
  invoice: unknown;
  test_clock: string | null;
  frozen_time: Date | null;
}

interface ReminderRow {
  id: string;
  invoice_id: string;
  kind: ScheduledReminder['kind'];
  remind_at: Date;
  test_clock_id: string | null;
  standing: ScheduledReminder['standing'];
}

/**
 * The tenant's open `send_invoice` invoices with a customer email as the catalog knows them now, each with the
 * `invoice.finalized` event it was made from, its customer's test clock and that clock's time, and its reminders
 * locked for the caller's transaction (so the sender claims none of them meanwhile). A reminder being sent (leased
 * at `now`) or ever attempted counts as sent.
 */
export async function remindableInvoices(db: Queryable, tenant: Tenant, now: Date): Promise<RemindableInvoice[]> {
  const scope = [tenant.organizationId, tenant.mode];
  const { rows: invoices } = await db.query<InvoiceRow>(
    `SELECT DISTINCT ON (s.id) e.id AS event_id, e.body::json->'data' AS invoice, c.state->>'test_clock' AS test_clock,
            t.frozen_time
       FROM catalog_subjects s
       JOIN webhook_events e ON e.organization_id = s.organization_id AND e.mode = s.mode
        AND e.type = 'invoice.finalized' AND e.body::json->'data'->>'id' = s.id
       LEFT JOIN catalog_subjects c ON c.organization_id = s.organization_id AND c.mode = s.mode
        AND c.kind = 'customer' AND c.id = s.state->>'customer_id'
       LEFT JOIN email_test_clocks t ON t.organization_id = s.organization_id AND t.mode = s.mode
        AND t.id = c.state->>'test_clock'
      WHERE s.organization_id = $1 AND s.mode = $2 AND s.kind = 'invoice' AND s.state->>'status' = 'open'
        AND s.state->>'collection_method' = 'send_invoice' AND s.state->>'customer_email' IS NOT NULL
      ORDER BY s.id, e.occurred_at, e.id`,
    scope,
  );
  const remindable = invoices.map((row) => ({ row, invoice: InvoicePayload.parse(row.invoice) }));
  const { rows: reminders } = await db.query<ReminderRow>(
    `SELECT d.id, d.invoice_id, d.kind, d.remind_at, d.test_clock_id,
            CASE WHEN d.status = 'canceled' THEN 'canceled'
                 WHEN d.status = 'pending' AND (d.leased_until IS NULL OR d.leased_until <= $4)
                  AND NOT EXISTS (SELECT 1 FROM email_delivery_attempts a WHERE a.email_id = d.id) THEN 'unsent'
                 ELSE 'sent' END AS standing
       FROM email_deliveries d
      WHERE d.organization_id = $1 AND d.mode = $2 AND d.invoice_id = ANY($3::text[])
        AND d.kind IN ('reminder_before_due', 'reminder_overdue')
      ORDER BY d.id FOR UPDATE OF d`,
    [...scope, remindable.map(({ invoice }) => invoice.id), now],
  );
  return remindable.map(({ row, invoice }) => ({
    invoice,
    eventId: row.event_id,
    testClock: row.test_clock,
    clockTime: row.test_clock ? row.frozen_time : now,
    reminders: reminders
      .filter((reminder) => reminder.invoice_id === invoice.id)
      .map((reminder) => ({
        emailId: reminder.id,
        kind: reminder.kind,
        remindAt: reminder.remind_at,
        standing: reminder.standing,
        testClock: reminder.test_clock_id,
      })),
  }));
}
