import { createHash } from 'node:crypto';
import {
  type EmailAttempt,
  type InvoiceEmail,
  type InvoiceEmailAttempted,
  type InvoiceEmailCanceled,
  InvoiceEmailEvent,
  type InvoiceEmailKind,
} from '@afternoon/contracts/invoiceEmails';
import { nextAttemptAt } from '../deliveries/retrySchedule';

export { InvoiceEmailEvent };

/** The stream of one email. */
export const emailDeliveryStream = (emailId: string) => `email_delivery-${emailId}`;

/**
 * The id of the email of `kind` made for a catalog event ('em' and 24 base-36 characters of a SHA-256), so the same
 * event seen again (a replayed topic) finds the email it made before. A reminder's kind names its days
 * (`reminder_overdue/7`).
 */
export function emailIdOf(eventId: string, kind: InvoiceEmailKind | `${InvoiceEmailKind}/${number}`): string {
  const digest = createHash('sha256').update(`${eventId}\u0000${kind}`).digest('hex');
  return `em${(BigInt(`0x${digest}`) % 36n ** 24n).toString(36).padStart(24, '0')}`;
}

interface ScheduledEmail {
  id: string;
  invoiceId: string;
  kind: InvoiceEmailKind;
  to: string;
  createdAt: string;
  remindAt: string | null;
  attempts: EmailAttempt[];
  /** Attempts that failed: where the retry schedule stands (a retry by request does not start it again). */
  failedAttempts: number;
  nextAttemptAt: string | null;
}

export type ScheduledEmailState = { status: 'pending' | 'succeeded' | 'failed' | 'canceled' } & ScheduledEmail;
export type EmailDeliveryState = { status: 'absent' } | ScheduledEmailState;

export const initialEmailDeliveryState = (): EmailDeliveryState => ({ status: 'absent' });

export function evolveEmailDelivery(state: EmailDeliveryState, event: InvoiceEmailEvent): EmailDeliveryState {
  if (event.type === 'InvoiceEmailScheduled') {
    const { data } = event;
    return {
      status: 'pending',
      id: data.email_id,
      invoiceId: data.invoice_id,
      kind: data.kind,
      to: data.to,
      createdAt: data.occurred_at,
      remindAt: data.remind_at,
      attempts: [],
      failedAttempts: 0,
      nextAttemptAt: data.due_at,
    };
  }
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'InvoiceEmailAttempted': {
      const { outcome } = event.data;
      return {
        ...state,
        status: outcome === 'retrying' ? 'pending' : outcome,
        attempts: [...state.attempts, event.data.attempt],
        failedAttempts: state.failedAttempts + (outcome === 'succeeded' ? 0 : 1),
        nextAttemptAt: event.data.next_attempt_at,
      };
    }
    case 'InvoiceEmailCanceled':
      return { ...state, status: 'canceled', nextAttemptAt: null };
    case 'InvoiceEmailRetryRequested':
      return { ...state, status: 'pending', nextAttemptAt: event.data.due_at };
    case 'InvoiceEmailRescheduled':
      return { ...state, remindAt: event.data.remind_at, nextAttemptAt: event.data.due_at };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

/** The email as the API shows it. */
export function toInvoiceEmail(state: ScheduledEmailState): InvoiceEmail {
  return {
    id: state.id,
    kind: state.kind,
    to: state.to,
    status: state.status,
    attempts: state.attempts,
    next_attempt_at: state.nextAttemptAt,
    remind_at: state.remindAt,
    created_at: state.createdAt,
  };
}

/** What one send came to: its log entry, and whether it went. */
export interface EmailSendResult {
  attempt: EmailAttempt;
  succeeded: boolean;
}

/**
 * The event recording an attempt at `now`: succeeded, or retried on the webhooks' schedule (which counts every failed
 * attempt, this one included), or failed once the schedule has run out.
 */
export function emailAttemptRecorded(
  state: ScheduledEmailState,
  result: EmailSendResult,
  now: Date,
  random: () => number,
): InvoiceEmailAttempted {
  const next = result.succeeded ? null : nextAttemptAt(state.failedAttempts + 1, now, random);
  return {
    type: 'InvoiceEmailAttempted',
    data: {
      email_id: state.id,
      attempt: result.attempt,
      outcome: result.succeeded ? 'succeeded' : next ? 'retrying' : 'failed',
      next_attempt_at: next?.toISOString() ?? null,
      occurred_at: now.toISOString(),
    },
  };
}

/** A reminder dropped at `now`: its invoice is `invoiceStatus`, no longer open. */
export function emailCanceled(state: ScheduledEmailState, invoiceStatus: string, now: Date): InvoiceEmailCanceled {
  return {
    type: 'InvoiceEmailCanceled',
    data: {
      email_id: state.id,
      invoice_status: invoiceStatus,
      reason: 'invoice_not_open',
      occurred_at: now.toISOString(),
    },
  };
}
