import { randomBytes } from 'node:crypto';
import type { InvoiceEmail } from '@afternoon/contracts/invoiceEmails';
import type { InvoicePayload } from '@afternoon/contracts/webhookCatalog';
import type { WebhookEvent } from '@afternoon/contracts/webhooks';
import { type RunningService, rebuildProjections, withTransaction } from '@afternoon/service-kit';
import { eventually } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationProjections } from '../app';
import { internalGet, newTenant, type TestTenant } from '../deliveries/deliveries.testing';
import { retryDelaysMs } from '../deliveries/retrySchedule';
import { finalizedInvoice } from './invoiceEmails.testing';
import { isolatedEmailsService } from './isolatedEmailsService.testing';
import { scheduleInvoiceEmails } from './scheduleInvoiceEmails';

describe('invoice emails scheduled in the catalog transaction, without an SMTP server', () => {
  const emails = isolatedEmailsService('emails');
  const { clock } = emails;
  let service: RunningService;

  beforeAll(async () => {
    service = await emails.start();
  });
  afterAll(async () => {
    await emails.stop();
  });

  const invoiceEvent = (tenant: TestTenant, invoice: InvoicePayload, type: WebhookEvent['type']): WebhookEvent => ({
    id: `evt_${randomBytes(16).toString('hex')}`,
    type,
    version: 1,
    timestamp: clock.now().toISOString(),
    mode: tenant.mode,
    data: invoice,
  });
  const schedule = (tenant: TestTenant, event: WebhookEvent) =>
    withTransaction(service.pool, (tx) => scheduleInvoiceEmails(tx, tenant, event, service, clock.now()));
  const emailsOf = async (tenant: TestTenant, invoiceId: string) => {
    const { status, body } = await internalGet(service, `/invoices/${invoiceId}/emails`, tenant);
    expect(status).toBe(200);
    return body.emails as InvoiceEmail[];
  };
  const withId = (invoice: InvoicePayload) => ({ ...invoice, id: `i${randomBytes(12).toString('hex')}` });

  it('schedules one email per event, only for a send_invoice invoice with a customer email, in live mode', async () => {
    const live = newTenant('live');
    const event = invoiceEvent(live, withId(finalizedInvoice), 'invoice.finalized');
    expect(await schedule(live, event)).toBe(true);
    expect(await schedule(live, event)).toBe(false);

    const charged = withId({ ...finalizedInvoice, collection_method: 'charge_automatically' as const });
    expect(await schedule(live, invoiceEvent(live, charged, 'invoice.finalized'))).toBe(false);
    const noEmail = withId({ ...finalizedInvoice, customer_email: null });
    expect(await schedule(live, invoiceEvent(live, noEmail, 'invoice.finalized'))).toBe(false);
    expect(await schedule(live, invoiceEvent(live, withId(finalizedInvoice), 'invoice.voided'))).toBe(false);
    const test = newTenant('test');
    expect(await schedule(test, invoiceEvent(test, withId(finalizedInvoice), 'invoice.finalized'))).toBe(false);
  });

  it('fails each attempt with smtp_not_configured on the webhooks schedule until it runs out', async () => {
    const tenant = newTenant('live');
    const invoice = withId(finalizedInvoice);
    await schedule(tenant, invoiceEvent(tenant, invoice, 'invoice.finalized'));
    const attempted = (count: number) =>
      eventually(
        async () => {
          const [email] = await emailsOf(tenant, invoice.id);
          expect(email?.attempts).toHaveLength(count);
          return email as InvoiceEmail;
        },
        { label: `attempt ${count}` },
      );
    const first = await attempted(1);
    expect(first).toMatchObject({ kind: 'invoice', to: finalizedInvoice.customer_email, status: 'pending' });
    expect(first.attempts[0]?.error).toBe('smtp_not_configured');
    // The first retry is 5 s after the failure was recorded (the attempt's start plus its latency, then the
    // recording's transaction), stretched or shrunk by up to 10 %.
    const [attempt] = first.attempts;
    const wait =
      Date.parse(first.next_attempt_at ?? '') - Date.parse(attempt?.attempted_at ?? '') - (attempt?.latency_ms ?? 0);
    expect(wait).toBeGreaterThanOrEqual(4_500);
    expect(wait).toBeLessThanOrEqual(5_500 + 250);

    let last = first;
    for (const [index, delay] of retryDelaysMs.entries()) {
      clock.skip(delay * 1.1 + 1_000);
      last = await attempted(index + 2);
    }
    expect(last).toMatchObject({ status: 'failed', next_attempt_at: null });
    expect(last.attempts.every((attempt) => attempt.error === 'smtp_not_configured')).toBe(true);
  });

  it('rebuilds the same emails and attempts from the event store', async () => {
    const snapshot = async () => ({
      emails: (
        await service.pool.query(
          `SELECT id, organization_id, mode, invoice_id, kind, recipient, event_id, invoice, status, next_attempt_at,
                  created_at FROM email_deliveries ORDER BY id`,
        )
      ).rows,
      attempts: (await service.pool.query('SELECT * FROM email_delivery_attempts ORDER BY email_id, number')).rows,
    });
    // Nothing due or in flight, so only the rebuild could change them.
    await eventually(async () => {
      const { rows } = await service.pool.query(
        `SELECT count(*)::int AS busy FROM email_deliveries
          WHERE status = 'pending' AND (next_attempt_at <= $1 OR leased_until > $1)`,
        [clock.now()],
      );
      expect(rows[0].busy).toBe(0);
    });
    const before = await snapshot();
    expect(before.attempts.length).toBeGreaterThan(8);
    await rebuildProjections(service.pool, notificationProjections);
    expect(await snapshot()).toEqual(before);
  });
});
