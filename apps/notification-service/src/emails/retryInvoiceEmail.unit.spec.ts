import type { InvoiceEmailEvent } from '@afternoon/contracts/invoiceEmails';
import { foldEvents, NotFoundError } from '@afternoon/service-kit';
import { describe, expect, it } from 'vitest';
import { invoiceEmailFailed } from './invoiceEmails.testing';
import { emailRetryDecider, type RetryInvoiceEmailCommand } from './retryInvoiceEmail';

const at = '2027-02-01T00:00:00.000Z';
const retry = (invoiceId: string, emailId = invoiceEmailFailed.emailId): RetryInvoiceEmailCommand => ({
  type: 'RetryInvoiceEmail',
  data: { invoice_id: invoiceId, email_id: emailId },
  metadata: {
    command_id: 'c1',
    request_id: 'r1',
    organization_id: 'org',
    mode: 'live',
    issued_at: at,
    correlation_id: 'c1',
  },
});
const given = (events: InvoiceEmailEvent[]) => foldEvents(emailRetryDecider, events);

describe('retry of an invoice email by request', () => {
  it('given a failed email, asks for an attempt now and makes it pending again', () => {
    const state = given(invoiceEmailFailed.events);
    const events = emailRetryDecider.decide(retry(invoiceEmailFailed.invoiceId), state);
    expect(events).toEqual([
      {
        type: 'InvoiceEmailRetryRequested',
        data: { email_id: invoiceEmailFailed.emailId, due_at: at, occurred_at: at },
      },
    ]);
    const after = foldEvents(emailRetryDecider, [...invoiceEmailFailed.events, ...events]);
    expect(after).toMatchObject({ status: 'pending', nextAttemptAt: at, failedAttempts: 1 });
  });

  it('finds no email of another invoice, nor one never scheduled', () => {
    expect(() =>
      emailRetryDecider.decide(retry('inv0000000000000000000099'), given(invoiceEmailFailed.events)),
    ).toThrow(NotFoundError);
    expect(() => emailRetryDecider.decide(retry(invoiceEmailFailed.invoiceId), given([]))).toThrow(NotFoundError);
  });
});
