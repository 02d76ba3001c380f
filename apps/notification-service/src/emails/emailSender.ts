import { type BackgroundLoop, type ServiceContext, startBackgroundLoop } from '@afternoon/service-kit';
import type pg from 'pg';
import { composeInvoiceEmail } from './composeInvoiceEmail';
import { type ClaimedEmail, claimDueEmails } from './dueEmails';
import { type EmailSendResult, emailAttemptRecorded, emailCanceled, type ScheduledEmailState } from './emailDelivery';
import { fetchInvoicePdf } from './invoicePdf';
import { recordEmailAttempt } from './recordEmailAttempt';
import { reminderCanceledBy } from './reminders/reminderCanceledBy';
import { getNotificationSettings } from './settings/getNotificationSettings';
import { type SmtpTransport, smtpTransport } from './smtpTransport';

export interface EmailSenderSettings {
  /** Null: no SMTP server is configured, and every attempt fails with `smtp_not_configured` (and is retried). */
  smtpUrl: string | null;
  /** Where the gateway serves the invoices' PDFs. */
  gatewayUrl: string;
  /** How long fetching the PDF, and each stage of the SMTP conversation, may take. */
  timeoutMs: number;
  /** The pause between looks for due emails. */
  intervalMs: number;
  /** How long a claimed email is held for its send before another sender may take it. */
  leaseMs: number;
  /** Emails sent at once, at most. */
  batchSize: number;
  /** The schedule's clock, the same as the webhooks'. */
  now(): Date;
  /** In [0, 1), for the retry schedule's jitter. */
  random(): number;
}

/**
 * Sends due invoice emails in the background, each attempt recorded; a failed one is retried on the schedule. A due
 * reminder whose invoice is no longer open is canceled instead.
 */
export function startEmailSender(context: ServiceContext, settings: EmailSenderSettings): BackgroundLoop<number> {
  const pool = context.pools.background;
  const transport = settings.smtpUrl ? smtpTransport(settings.smtpUrl, settings.timeoutMs) : null;
  const shutdown = new AbortController();

  const deliver = async (claim: ClaimedEmail) => {
    try {
      const tenant = { organizationId: claim.organizationId, mode: claim.mode };
      const canceledBy = await reminderCanceledBy(pool, tenant, claim.kind, claim.invoice.id);
      if (canceledBy) {
        await recordEmailAttempt(
          pool,
          context,
          claim,
          (state, at) => emailCanceled(state, canceledBy, at),
          settings.now,
        );
        context.logger.info({ email: claim.id, invoice_status: canceledBy }, 'invoice reminder canceled');
        return;
      }
      const result = await send(pool, transport, claim, settings, shutdown.signal);
      if (shutdown.signal.aborted) return;
      const attempted = (state: ScheduledEmailState, at: Date) =>
        emailAttemptRecorded(state, result, at, settings.random);
      await recordEmailAttempt(pool, context, claim, attempted, settings.now);
    } catch (error) {
      context.logger.error({ err: error, email: claim.id }, 'invoice email not recorded; its lease will run out');
    }
  };

  const loop = startBackgroundLoop({
    name: 'invoice email sender',
    logger: context.logger,
    intervalMs: settings.intervalMs,
    async turn() {
      const claimed = await claimDueEmails(pool, settings.now(), settings.batchSize, settings.leaseMs);
      await Promise.all(claimed.map(deliver));
      return claimed.length;
    },
    pauseAfter: (sent) => (sent === settings.batchSize ? 0 : settings.intervalMs),
  });

  return {
    ...loop,
    async stop() {
      shutdown.abort();
      await loop.stop();
      transport?.close();
    },
  };
}

/** One attempt: the email composed from the invoice as it was, the PDF fetched now, handed to the SMTP server. */
async function send(
  pool: pg.Pool,
  transport: SmtpTransport | null,
  claim: ClaimedEmail,
  settings: EmailSenderSettings,
  shutdown: AbortSignal,
): Promise<EmailSendResult> {
  const attemptedAt = settings.now();
  const started = performance.now();
  const outcome = (error: string | null, smtpResponse: string | null = null): EmailSendResult => ({
    succeeded: error === null,
    attempt: {
      attempted_at: attemptedAt.toISOString(),
      latency_ms: Math.round(performance.now() - started),
      smtp_response: smtpResponse,
      error,
    },
  });
  if (!transport) return outcome('smtp_not_configured');
  const { email: sender } = await getNotificationSettings(pool, {
    organizationId: claim.organizationId,
    mode: claim.mode,
  });
  if (!sender.from_address) return outcome('no_from_address');
  const { invoice } = claim;
  const composed = composeInvoiceEmail(claim.kind, invoice, claim.to, {
    fromAddress: sender.from_address,
    replyTo: sender.reply_to,
  });
  const attachments = [];
  if (invoice.public_invoice_url) {
    try {
      const pdf = await fetchInvoicePdf(settings.gatewayUrl, invoice.public_invoice_url, settings.timeoutMs, shutdown);
      const filename = `${invoice.invoice_number ?? invoice.id}.pdf`;
      attachments.push({ filename, content: pdf, contentType: 'application/pdf' });
    } catch (error) {
      return outcome(`pdf_unavailable: ${messageOf(error)}`);
    }
  }
  try {
    return outcome(null, await transport.send({ ...composed, attachments }));
  } catch (error) {
    return outcome(`smtp: ${messageOf(error)}`);
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 1024);
