import type { InvoiceEmailEvent } from '@afternoon/contracts/invoiceEmails';
import type { InvoicePayload } from '@afternoon/contracts/webhookCatalog';
import type { Tenant } from '@afternoon/service-kit';
import type pg from 'pg';

/** A finalized `send_invoice` invoice of $1,234.50 as the catalog's `invoice.finalized` carries it. */
export const finalizedInvoice: InvoicePayload = {
  id: 'inv0000000000000000000001',
  customer_id: 'cus0000000000000000000001',
  subscription_id: null,
  billing_reason: 'manual',
  customer_name: 'Wayne Enterprises',
  customer_email: 'billing@wayne.example',
  status: 'open',
  collection_method: 'send_invoice',
  currency: 'usd',
  invoice_number: 'INV-0001',
  memo: null,
  metadata: {},
  subtotal_cents: 123_450,
  total_cents: 123_450,
  amount_paid_cents: 0,
  amount_due_cents: 123_450,
  days_until_due: 30,
  due_date: '2027-01-31T00:00:00.000Z',
  public_invoice_url: 'http://localhost:3000/inv/tok_abc',
  status_transitions: {
    finalized_at: '2027-01-01T00:00:00.000Z',
    paid_at: null,
    voided_at: null,
    marked_uncollectible_at: null,
  },
  created_at: '2027-01-01T00:00:00.000Z',
  updated_at: '2027-01-01T00:00:00.000Z',
};

/** An invoice email of `finalizedInvoice` whose one attempt failed for good. */
export const invoiceEmailFailed = {
  emailId: 'em000000000000000000000001',
  invoiceId: finalizedInvoice.id,
  events: [
    {
      type: 'InvoiceEmailScheduled',
      data: {
        email_id: 'em000000000000000000000001',
        kind: 'invoice',
        invoice_id: finalizedInvoice.id,
        to: 'billing@wayne.example',
        event_id: 'evt_1',
        invoice: finalizedInvoice,
        due_at: '2027-01-01T00:00:00.000Z',
        remind_at: null,
        test_clock_id: null,
        occurred_at: '2027-01-01T00:00:00.000Z',
      },
    },
    {
      type: 'InvoiceEmailAttempted',
      data: {
        email_id: 'em000000000000000000000001',
        attempt: { attempted_at: '2027-01-01T00:00:01.000Z', latency_ms: 3, smtp_response: null, error: 'smtp: 550' },
        outcome: 'failed',
        next_attempt_at: null,
        occurred_at: '2027-01-01T00:00:01.000Z',
      },
    },
  ] satisfies InvoiceEmailEvent[],
};

/** The invoice's customer as the catalog records it from customer-service's events (on the real clock), unless known. */
export const catalogRecordsCustomer = (db: Pick<pg.Pool, 'query'>, tenant: Tenant, customerId: string) =>
  db.query(
    `INSERT INTO catalog_subjects (organization_id, mode, kind, id, version, state) VALUES ($1, $2, 'customer', $3, 1, $4)
     ON CONFLICT (organization_id, mode, kind, id) DO NOTHING`,
    [tenant.organizationId, tenant.mode, customerId, JSON.stringify({ id: customerId, test_clock: null })],
  );
