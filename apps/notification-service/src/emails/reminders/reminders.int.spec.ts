import { randomBytes, randomUUID } from 'node:crypto';
import type { InvoiceEmail } from '@afternoon/contracts/invoiceEmails';
import { defaultEmailSettings } from '@afternoon/contracts/notificationSettings';
import { testClockEventWireNames } from '@afternoon/contracts/testClocks';
import { Topics } from '@afternoon/contracts/topics';
import type { InvoicePayload } from '@afternoon/contracts/webhookCatalog';
import { NotYetError, type RunningService, withTransaction } from '@afternoon/service-kit';
import { eventually, produce } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { internalGet, newTenant, type TestTenant } from '../../deliveries/deliveries.testing';
import { catalogRecordsCustomer, finalizedInvoice } from '../invoiceEmails.testing';
import { isolatedEmailsService } from '../isolatedEmailsService.testing';
import { scheduleInvoiceEmails } from '../scheduleInvoiceEmails';

const dayMs = 24 * 60 * 60 * 1000;

describe('invoice reminders on the customer’s clock, without an SMTP server', () => {
  const emails = isolatedEmailsService('reminders');
  const { clock, topicPrefix } = emails;
  let service: RunningService;

  beforeAll(async () => {
    service = await emails.start();
  });
  afterAll(async () => {
    await emails.stop();
  });

  /** A live tenant reminding 3 days before the due date and 1 day after, and nothing else. */
  async function remindingTenant(): Promise<TestTenant> {
    const tenant = newTenant('live');
    const email = {
      ...defaultEmailSettings,
      invoice_finalized: false,
      reminders: { before_due_days: [3], after_due_days: [1] },
    };
    await service.pool.query(
      'INSERT INTO notification_settings (organization_id, mode, email, updated_at) VALUES ($1, $2, $3, now())',
      [tenant.organizationId, tenant.mode, JSON.stringify(email)],
    );
    return tenant;
  }
  /** An invoice finalized at `finalizedAt`, due 10 days later, scheduled as the catalog does on `invoice.finalized`. */
  async function finalize(tenant: TestTenant, finalizedAt: Date, customerId = finalizedInvoice.customer_id) {
    await catalogRecordsCustomer(service.pool, tenant, customerId);
    return finalizeBeforeCustomer(tenant, finalizedAt, customerId);
  }
  /** `finalize`, whether or not the catalog has recorded the customer yet. */
  async function finalizeBeforeCustomer(tenant: TestTenant, finalizedAt: Date, customerId: string) {
    const invoice: InvoicePayload = {
      ...finalizedInvoice,
      id: `i${randomBytes(12).toString('hex')}`,
      customer_id: customerId,
      due_date: new Date(finalizedAt.getTime() + 10 * dayMs).toISOString(),
      status_transitions: { ...finalizedInvoice.status_transitions, finalized_at: finalizedAt.toISOString() },
    };
    const event = {
      id: `evt_${randomBytes(16).toString('hex')}`,
      type: 'invoice.finalized' as const,
      version: 1,
      timestamp: finalizedAt.toISOString(),
      mode: tenant.mode,
      data: invoice,
    };
    await withTransaction(service.pool, (tx) => scheduleInvoiceEmails(tx, tenant, event, service, clock.now()));
    return invoice;
  }
  /** The catalog's state of a subject, as its consumers fold it from the source topics. */
  const catalogKnows = (tenant: TestTenant, kind: string, id: string, state: Record<string, unknown>) =>
    service.pool.query(
      `INSERT INTO catalog_subjects (organization_id, mode, kind, id, version, state) VALUES ($1, $2, $3, $4, 1, $5)
       ON CONFLICT (organization_id, mode, kind, id) DO UPDATE SET state = EXCLUDED.state`,
      [tenant.organizationId, tenant.mode, kind, id, JSON.stringify(state)],
    );
  const remindersOf = async (tenant: TestTenant, invoiceId: string) => {
    const { status, body } = await internalGet(service, `/invoices/${invoiceId}/emails`, tenant);
    expect(status).toBe(200);
    const emails = body.emails as InvoiceEmail[];
    return {
      before: emails.find((email) => email.kind === 'reminder_before_due') as InvoiceEmail,
      overdue: emails.find((email) => email.kind === 'reminder_overdue') as InvoiceEmail,
    };
  };
  const dayOf = (at: Date, days: number) =>
    new Date(Date.parse(`${new Date(at.getTime() + days * dayMs).toISOString().slice(0, 10)}T00:00:00.000Z`));

  it('sends each reminder once the clock reaches 00:00 UTC of its day, not before', async () => {
    const tenant = await remindingTenant();
    const finalizedAt = clock.now();
    const invoice = await finalize(tenant, finalizedAt);
    const scheduled = await remindersOf(tenant, invoice.id);
    // Due 10 days after finalizing: reminded on day 7 (3 before) and day 11 (1 after), at midnight UTC.
    expect(scheduled.before).toMatchObject({
      status: 'pending',
      attempts: [],
      remind_at: dayOf(finalizedAt, 7).toISOString(),
    });
    expect(scheduled.overdue).toMatchObject({
      status: 'pending',
      attempts: [],
      remind_at: dayOf(finalizedAt, 11).toISOString(),
    });

    clock.skip(dayOf(finalizedAt, 7).getTime() - clock.now().getTime() + 1_000);
    const sent = await eventually(async () => {
      const { before } = await remindersOf(tenant, invoice.id);
      expect(before.attempts).toHaveLength(1);
      return remindersOf(tenant, invoice.id);
    });
    expect(sent.before.attempts[0]?.error).toBe('smtp_not_configured');
    expect(Date.parse(sent.before.attempts[0]?.attempted_at ?? '')).toBeGreaterThanOrEqual(
      dayOf(finalizedAt, 7).getTime(),
    );
    expect(sent.overdue.attempts).toEqual([]);
  });

  it('cancels a reminder whose invoice was paid before it was due, without an attempt', async () => {
    const tenant = await remindingTenant();
    const finalizedAt = clock.now();
    const invoice = await finalize(tenant, finalizedAt);
    await catalogKnows(tenant, 'invoice', invoice.id, { ...invoice, status: 'paid' });
    clock.skip(12 * dayMs);
    const { before, overdue } = await eventually(async () => {
      const reminders = await remindersOf(tenant, invoice.id);
      expect([reminders.before.status, reminders.overdue.status]).toEqual(['canceled', 'canceled']);
      return reminders;
    });
    expect(before.attempts).toEqual([]);
    expect(overdue).toMatchObject({ attempts: [], next_attempt_at: null });
  });

  it('follows the customer’s test clock: due when the clock is advanced past it, whatever the real time', async () => {
    const tenant = await remindingTenant();
    const testClock = `clk${randomBytes(11).toString('hex')}`;
    const customerId = `cus${randomBytes(11).toString('hex')}`;
    await catalogKnows(tenant, 'customer', customerId, { id: customerId, test_clock: testClock });
    const frozen = new Date('2030-01-01T12:00:00.000Z');
    const advance = (to: Date) =>
      produce(`${topicPrefix}${Topics.invoiceEvents.name}`, [
        {
          key: `test_clock-${testClock}`,
          value: JSON.stringify({
            event_id: randomUUID(),
            type: testClockEventWireNames.TestClockAdvanced,
            stream_id: `test_clock-${testClock}`,
            version: 2,
            data: {
              test_clock_id: testClock,
              from: frozen.toISOString(),
              frozen_time: to.toISOString(),
              advanced_at: clock.now().toISOString(),
            },
            metadata: {
              organization_id: tenant.organizationId,
              mode: tenant.mode,
              occurred_at: clock.now().toISOString(),
              correlation_id: 't',
              causation_id: 't',
            },
          }),
        },
      ]);
    const invoice = await finalize(tenant, frozen, customerId);
    // Due 2030-01-11: reminded on 01-08 and 01-12, years after the real clock; only the test clock makes them due.
    await advance(new Date('2030-01-08T00:00:00.000Z'));
    const { before } = await eventually(
      async () => {
        const reminders = await remindersOf(tenant, invoice.id);
        expect(reminders.before.attempts).toHaveLength(1);
        return reminders;
      },
      { timeout: 20_000, label: 'reminder 3 days before, on the test clock' },
    );
    expect(before.remind_at).toBe('2030-01-08T00:00:00.000Z');
    const { overdue } = await remindersOf(tenant, invoice.id);
    expect(overdue.attempts).toEqual([]);
    await advance(new Date('2030-01-12T00:00:00.000Z'));
    await eventually(async () => expect((await remindersOf(tenant, invoice.id)).overdue.attempts).toHaveLength(1), {
      timeout: 20_000,
      label: 'reminder 1 day after, on the test clock',
    });
  });

  it('waits for the catalog to record the invoice’s customer: a test clock’s reminders never go on the real clock', async () => {
    const tenant = await remindingTenant();
    const testClock = `clk${randomBytes(11).toString('hex')}`;
    const customerId = `cus${randomBytes(11).toString('hex')}`;
    const finalizedAt = new Date('2020-01-01T12:00:00.000Z');
    // Customers and invoices come from two topics: the invoice's can be handled first.
    await expect(finalizeBeforeCustomer(tenant, finalizedAt, customerId)).rejects.toBeInstanceOf(NotYetError);
    await catalogKnows(tenant, 'customer', customerId, { id: customerId, test_clock: testClock });
    const invoice = await finalizeBeforeCustomer(tenant, finalizedAt, customerId);
    const { rows } = await service.pool.query(
      'SELECT kind, test_clock_id FROM email_deliveries WHERE invoice_id = $1 ORDER BY kind',
      [invoice.id],
    );
    expect(rows).toEqual([
      { kind: 'reminder_before_due', test_clock_id: testClock },
      { kind: 'reminder_overdue', test_clock_id: testClock },
    ]);
  });
});
