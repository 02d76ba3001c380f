import { z } from 'zod';
import { ResourceId } from './common';
import { InvoicePayload } from './webhookCatalog';

/*
 * Invoice emails: a `send_invoice` invoice's customer is emailed it when it is finalized and a receipt when it is
 * paid. Each email is a delivery (stream `email_delivery-<id>`) retried on the webhooks' schedule.
 */

export const InvoiceEmailKind = z.enum(['invoice', 'receipt']);
export type InvoiceEmailKind = z.infer<typeof InvoiceEmailKind>;

/** One try at handing one email to the SMTP server. */
export const EmailAttempt = z.object({
  attempted_at: z.iso.datetime(),
  latency_ms: z.number().int().min(0),
  /** The SMTP server's answer to an accepted email (`250 OK …`). */
  smtp_response: z.string().nullable(),
  /** Why it failed (`smtp_not_configured`, `no_from_address`, `pdf_unavailable: …`, the SMTP error); null on success. */
  error: z.string().nullable(),
});
export type EmailAttempt = z.infer<typeof EmailAttempt>;

export const InvoiceEmail = z.object({
  id: z.string(),
  kind: InvoiceEmailKind,
  to: z.string(),
  status: z.enum(['pending', 'succeeded', 'failed']),
  attempts: z.array(EmailAttempt),
  next_attempt_at: z.iso.datetime().nullable(),
  created_at: z.iso.datetime(),
});
export type InvoiceEmail = z.infer<typeof InvoiceEmail>;

/** `GET /invoices/:id/emails` (internal) and `GET /v1/invoices/{id}/emails`: oldest first. */
export const InvoiceEmailList = z.object({ emails: z.array(InvoiceEmail) });
export type InvoiceEmailList = z.infer<typeof InvoiceEmailList>;

// Events (on `notification.events`)

export const InvoiceEmailScheduled = z.object({
  type: z.literal('InvoiceEmailScheduled'),
  data: z.object({
    email_id: z.string(),
    kind: InvoiceEmailKind,
    invoice_id: ResourceId,
    to: z.string(),
    /** The catalog event it was made for (`invoice.finalized`, `invoice.paid`). */
    event_id: z.string(),
    /** The invoice as of that event: what the email says. */
    invoice: InvoicePayload,
    due_at: z.iso.datetime(),
    occurred_at: z.iso.datetime(),
  }),
});
export type InvoiceEmailScheduled = z.infer<typeof InvoiceEmailScheduled>;

export const InvoiceEmailAttempted = z.object({
  type: z.literal('InvoiceEmailAttempted'),
  data: z.object({
    email_id: z.string(),
    attempt: EmailAttempt,
    outcome: z.enum(['succeeded', 'retrying', 'failed']),
    next_attempt_at: z.iso.datetime().nullable(),
    occurred_at: z.iso.datetime(),
  }),
});
export type InvoiceEmailAttempted = z.infer<typeof InvoiceEmailAttempted>;

export const InvoiceEmailEvent = z.discriminatedUnion('type', [InvoiceEmailScheduled, InvoiceEmailAttempted]);
export type InvoiceEmailEvent = z.infer<typeof InvoiceEmailEvent>;

export const invoiceEmailEventWireNames = {
  InvoiceEmailScheduled: 'afternoon.notifications.v1.invoice_email_scheduled',
  InvoiceEmailAttempted: 'afternoon.notifications.v1.invoice_email_attempted',
} as const satisfies Record<InvoiceEmailEvent['type'], string>;
