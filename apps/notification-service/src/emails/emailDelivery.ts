import { createHash } from 'node:crypto';
import {
  type EmailAttempt,
  type InvoiceEmailAttempted,
  InvoiceEmailEvent,
  type InvoiceEmailKind,
} from '@afternoon/contracts/invoiceEmails';
import { nextAttemptAt } from '../deliveries/retrySchedule';

export { InvoiceEmailEvent };

/** The stream of one email. */
export const emailDeliveryStream = (emailId: string) => `email_delivery-${emailId}`;

/**
 * The id of the email of `kind` made for a catalog event ('em' and 24 base-36 characters of a SHA-256), so the same
 * event seen again (a replayed topic) finds the email it made before.
 */
export function emailIdOf(eventId: string, kind: InvoiceEmailKind): string {
  const digest = createHash('sha256').update(`${eventId}\u0000${kind}`).digest('hex');
  return `em${(BigInt(`0x${digest}`) % 36n ** 24n).toString(36).padStart(24, '0')}`;
}

export type EmailDeliveryState =
  | { status: 'absent' }
  | { status: 'pending' | 'succeeded' | 'failed'; id: string; failedAttempts: number };

export function evolveEmailDelivery(state: EmailDeliveryState, event: InvoiceEmailEvent): EmailDeliveryState {
  switch (event.type) {
    case 'InvoiceEmailScheduled':
      return { status: 'pending', id: event.data.email_id, failedAttempts: 0 };
    case 'InvoiceEmailAttempted': {
      if (state.status === 'absent') return state;
      const { outcome } = event.data;
      return {
        ...state,
        status: outcome === 'retrying' ? 'pending' : outcome,
        failedAttempts: state.failedAttempts + (outcome === 'succeeded' ? 0 : 1),
      };
    }
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
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
  state: Exclude<EmailDeliveryState, { status: 'absent' }>,
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
