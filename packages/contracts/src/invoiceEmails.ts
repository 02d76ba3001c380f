import { z } from 'zod';
import { ResourceId } from './common';
import { UtcTimestamp } from './usage';
import { InvoicePayload } from './webhookCatalog';

/*
 * Invoice emails: a `send_invoice` invoice's customer is emailed it when it is finalized, reminded of it before and
 * after its due date while it is open, and sent a receipt when it is paid. Each email is a delivery (stream
 * `email_delivery-<id>`) retried on the webhooks' schedule, and again by request, one at a time or a window at once.
 */

/** An email's id: 'em' and 24 base-36 characters. */
export const InvoiceEmailId = z.string().regex(/^em[0-9a-z]{24}$/, 'must be an invoice email id');
export type InvoiceEmailId = z.infer<typeof InvoiceEmailId>;

export const InvoiceEmailKind = z.enum(['invoice', 'receipt', 'reminder_before_due', 'reminder_overdue']);
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
  /** `canceled`: a reminder whose invoice was not open when it was due, or the settings no longer ask for. */
  status: z.enum(['pending', 'succeeded', 'failed', 'canceled']),
  attempts: z.array(EmailAttempt),
  next_attempt_at: z.iso.datetime().nullable(),
  /** A reminder's time on the customer's clock (its test clock's, if it has one); null for other emails. */
  remind_at: z.iso.datetime().nullable(),
  created_at: z.iso.datetime(),
});
export type InvoiceEmail = z.infer<typeof InvoiceEmail>;

/** `POST /v1/invoices/{id}/emails/{email_id}/retry`: the email with its new attempt due. */
export const InvoiceEmailAnswer = z.object({ email: InvoiceEmail });
export type InvoiceEmailAnswer = z.infer<typeof InvoiceEmailAnswer>;

/**
 * `POST /v1/invoice_emails/replay`: a new attempt now of every email first scheduled in the window (`from` inclusive,
 * `to` exclusive), of the given kinds (every kind without `kinds`), whatever its status.
 */
export const ReplayInvoiceEmailsBody = z
  .strictObject({
    from: UtcTimestamp,
    to: UtcTimestamp,
    kinds: z
      .array(InvoiceEmailKind)
      .min(1)
      .max(InvoiceEmailKind.options.length)
      .refine((kinds) => new Set(kinds).size === kinds.length, 'must not repeat a kind')
      .optional(),
  })
  .refine((body) => Date.parse(body.from) < Date.parse(body.to), { path: ['to'], message: 'must be after from' });
export type ReplayInvoiceEmailsBody = z.infer<typeof ReplayInvoiceEmailsBody>;

/** One replay as it was asked for and what it came to: `replayed` emails given a new attempt. */
export const InvoiceEmailReplay = z.object({
  id: ResourceId,
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  /** The kinds replayed: those asked for, or every kind. */
  kinds: z.array(InvoiceEmailKind),
  replayed: z.number().int().min(0),
  requested_at: z.iso.datetime(),
});
export type InvoiceEmailReplay = z.infer<typeof InvoiceEmailReplay>;
export const InvoiceEmailReplayAnswer = z.object({ replay: InvoiceEmailReplay });
export type InvoiceEmailReplayAnswer = z.infer<typeof InvoiceEmailReplayAnswer>;

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
    /** A reminder: its time on the customer's clock, which is `test_clock_id`'s when the customer has one. */
    remind_at: z.iso.datetime().nullable().default(null),
    test_clock_id: ResourceId.nullable().default(null),
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

/**
 * A reminder dropped before it was sent: when it was due, its invoice was paid, voided or marked uncollectible
 * (`invoice_not_open`); or before, the organization's reminder settings stopped asking for it (`reminders_changed`).
 */
export const InvoiceEmailCanceled = z.object({
  type: z.literal('InvoiceEmailCanceled'),
  data: z.object({
    email_id: z.string(),
    invoice_status: z.string(),
    reason: z.enum(['invoice_not_open', 'reminders_changed']).default('invoice_not_open'),
    occurred_at: z.iso.datetime(),
  }),
});
export type InvoiceEmailCanceled = z.infer<typeof InvoiceEmailCanceled>;

/** A reminder not yet sent moved to another day of its invoice's: the organization changed its reminder days. */
export const InvoiceEmailRescheduled = z.object({
  type: z.literal('InvoiceEmailRescheduled'),
  data: z.object({
    email_id: z.string(),
    remind_at: z.iso.datetime(),
    due_at: z.iso.datetime(),
    occurred_at: z.iso.datetime(),
  }),
});
export type InvoiceEmailRescheduled = z.infer<typeof InvoiceEmailRescheduled>;

/** A new attempt asked for, due at `due_at`, whatever the email's status (the retry schedule does not start again). */
export const InvoiceEmailRetryRequested = z.object({
  type: z.literal('InvoiceEmailRetryRequested'),
  data: z.object({ email_id: z.string(), due_at: z.iso.datetime(), occurred_at: z.iso.datetime() }),
});
export type InvoiceEmailRetryRequested = z.infer<typeof InvoiceEmailRetryRequested>;

export const InvoiceEmailEvent = z.discriminatedUnion('type', [
  InvoiceEmailScheduled,
  InvoiceEmailAttempted,
  InvoiceEmailCanceled,
  InvoiceEmailRetryRequested,
  InvoiceEmailRescheduled,
]);
export type InvoiceEmailEvent = z.infer<typeof InvoiceEmailEvent>;

export const invoiceEmailEventWireNames = {
  InvoiceEmailScheduled: 'afternoon.notifications.v1.invoice_email_scheduled',
  InvoiceEmailAttempted: 'afternoon.notifications.v1.invoice_email_attempted',
  InvoiceEmailCanceled: 'afternoon.notifications.v1.invoice_email_canceled',
  InvoiceEmailRetryRequested: 'afternoon.notifications.v1.invoice_email_retry_requested',
  InvoiceEmailRescheduled: 'afternoon.notifications.v1.invoice_email_rescheduled',
} as const satisfies Record<InvoiceEmailEvent['type'], string>;

/**
 * A replay by request (stream `invoice_email_replay-<id>`): each email it covers records its own
 * `InvoiceEmailRetryRequested` in the same transaction.
 */
export const InvoiceEmailsReplayed = z.object({
  type: z.literal('InvoiceEmailsReplayed'),
  data: z.object({
    replay_id: ResourceId,
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    kinds: z.array(InvoiceEmailKind),
    replayed: z.number().int().min(0),
    occurred_at: z.iso.datetime(),
  }),
});
export type InvoiceEmailsReplayed = z.infer<typeof InvoiceEmailsReplayed>;

export const InvoiceEmailReplayEvent = z.discriminatedUnion('type', [InvoiceEmailsReplayed]);
export type InvoiceEmailReplayEvent = z.infer<typeof InvoiceEmailReplayEvent>;

export const invoiceEmailReplayEventWireNames = {
  InvoiceEmailsReplayed: 'afternoon.notifications.v1.invoice_emails_replayed',
} as const satisfies Record<InvoiceEmailReplayEvent['type'], string>;

// Commands (on `notification.commands`)

/** A new attempt of one of the invoice's emails, now; keyed by the email's id. */
export const RetryInvoiceEmail = z.object({
  type: z.literal('RetryInvoiceEmail'),
  data: z.object({ invoice_id: ResourceId, email_id: InvoiceEmailId }),
});
export type RetryInvoiceEmail = z.infer<typeof RetryInvoiceEmail>;

/** A new attempt now of the tenant's emails first scheduled in [from, to), of `kinds` (null: every kind); keyed by the replay's id. */
export const ReplayInvoiceEmails = z.object({
  type: z.literal('ReplayInvoiceEmails'),
  data: z.object({
    replay_id: ResourceId,
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    kinds: z.array(InvoiceEmailKind).nullable(),
  }),
});
export type ReplayInvoiceEmails = z.infer<typeof ReplayInvoiceEmails>;

export const InvoiceEmailCommand = z.discriminatedUnion('type', [RetryInvoiceEmail, ReplayInvoiceEmails]);
export type InvoiceEmailCommand = z.infer<typeof InvoiceEmailCommand>;
