import { randomBytes, randomUUID } from 'node:crypto';
import type { InvoiceEmail } from '@afternoon/contracts/invoiceEmails';
import {
  type EmailSettingsChanges,
  notificationSettingsEventWireNames,
} from '@afternoon/contracts/notificationSettings';
import { testClockEventWireNames } from '@afternoon/contracts/testClocks';
import { Topics } from '@afternoon/contracts/topics';
import type { InvoicePayload } from '@afternoon/contracts/webhookCatalog';
import type { WebhookEvent } from '@afternoon/contracts/webhooks';
import { consumerGroupId, type RunningService, withTransaction } from '@afternoon/service-kit';
import { type CollectedMessage, collectTopic, commandRecord, eventually, produce } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordWebhookEvent } from '../../catalog/recordWebhookEvent';
import { internalGet, newTenant, type TestTenant } from '../../deliveries/deliveries.testing';
import { catalogRecordsCustomer, finalizedInvoice } from '../invoiceEmails.testing';
import { isolatedEmailsService } from '../isolatedEmailsService.testing';
import { reminderSettingsConsumer } from './reminderSettingsConsumer';

const dayMs = 24 * 60 * 60 * 1000;

describe('reminders follow the organization’s settings when they change, without an SMTP server', () => {
  const emails = isolatedEmailsService('reminder_settings');
  const { clock, topicPrefix } = emails;
  const topic = (name: string) => `${topicPrefix}${name}`;
  let service: RunningService;
  let replies: Awaited<ReturnType<typeof collectTopic>>;
  let events: Awaited<ReturnType<typeof collectTopic>>;

  beforeAll(async () => {
    service = await emails.start();
    replies = await collectTopic(topic(Topics.gatewayReplies.name));
    events = await collectTopic(topic(Topics.notificationEvents.name));
  });
  afterAll(async () => {
    await Promise.all([replies, events].map((collected) => collected?.stop()));
    await emails.stop();
  });

  /** `PATCH /v1/notification_settings` as the gateway sends it; waits for its success. */
  async function configure(tenant: TestTenant, email: EmailSettingsChanges) {
    const record = commandRecord(tenant, `${tenant.organizationId}-${tenant.mode}`, 'ConfigureNotifications', {
      email,
    });
    const commandId = JSON.parse(record.value).metadata.command_id;
    await produce(topic(Topics.notificationCommands.name), [record]);
    const reply = await eventually(
      () => {
        const found = replies.messages.map(parsed).find((candidate) => candidate?.command_id === commandId);
        expect(found).toBeDefined();
        return found;
      },
      { timeout: 20_000, label: 'reply to ConfigureNotifications' },
    );
    expect(reply).toMatchObject({ ok: true });
  }
  /** A live tenant emailing no invoice (only reminders), reminding as `reminders` says. */
  async function tenantReminding(before_due_days: number[], after_due_days: number[]) {
    const tenant = newTenant('live');
    await configure(tenant, { invoice_finalized: false, reminders: { before_due_days, after_due_days } });
    return tenant;
  }
  /** An open invoice finalized at `finalizedAt`, due 10 days later, recorded as the catalog records it. */
  async function finalize(tenant: TestTenant, finalizedAt: Date, customerId = finalizedInvoice.customer_id) {
    const invoice: InvoicePayload = {
      ...finalizedInvoice,
      id: `i${randomBytes(12).toString('hex')}`,
      customer_id: customerId,
      due_date: new Date(finalizedAt.getTime() + 10 * dayMs).toISOString(),
      status_transitions: { ...finalizedInvoice.status_transitions, finalized_at: finalizedAt.toISOString() },
    };
    const event: WebhookEvent = {
      id: `evt_${randomBytes(16).toString('hex')}`,
      type: 'invoice.finalized',
      version: 1,
      timestamp: finalizedAt.toISOString(),
      mode: tenant.mode,
      data: invoice,
    };
    await withTransaction(service.pool, async (tx) => {
      await catalogRecordsCustomer(tx, tenant, customerId);
      await catalogKnows(tx, tenant, 'invoice', invoice.id, invoice);
      await recordWebhookEvent(tx, tenant, event, service, { now: clock.now() });
    });
    return invoice;
  }
  /** The catalog's state of a subject, as its consumers fold it from the source topics. */
  const catalogKnows = (
    db: Pick<RunningService['pool'], 'query'>,
    tenant: TestTenant,
    kind: string,
    id: string,
    state: object,
  ) =>
    db.query(
      `INSERT INTO catalog_subjects (organization_id, mode, kind, id, version, state) VALUES ($1, $2, $3, $4, 1, $5)
       ON CONFLICT (organization_id, mode, kind, id) DO UPDATE SET state = EXCLUDED.state`,
      [tenant.organizationId, tenant.mode, kind, id, JSON.stringify(state)],
    );
  /** The invoice's reminders, earliest first. */
  const remindersOf = async (tenant: TestTenant, invoiceId: string) => {
    const { status, body } = await internalGet(service, `/invoices/${invoiceId}/emails`, tenant);
    expect(status).toBe(200);
    return (body.emails as InvoiceEmail[])
      .filter((email) => email.kind !== 'invoice')
      .sort((a, b) => Date.parse(a.remind_at ?? '') - Date.parse(b.remind_at ?? ''));
  };
  const summary = (reminders: InvoiceEmail[]) =>
    reminders.map(({ kind, remind_at, status, attempts }) => [kind, remind_at, status, attempts.length]);
  const dayOf = (at: Date, days: number) =>
    `${new Date(at.getTime() + days * dayMs).toISOString().slice(0, 10)}T00:00:00.000Z`;
  const emailEventsOf = async (invoiceId: string) =>
    (
      await service.pool.query<{ type: string; data: Record<string, unknown> }>(
        `SELECT e.type, e.data FROM events e JOIN email_deliveries d ON e.stream_id = 'email_delivery-' || d.id
          WHERE d.invoice_id = $1 ORDER BY e.position`,
        [invoiceId],
      )
    ).rows;

  it('cancels the reminders not yet sent when reminders are turned off; one sent stays in the log', async () => {
    const tenant = await tenantReminding([3], [1]);
    const finalizedAt = clock.now();
    const invoice = await finalize(tenant, finalizedAt);
    // Due 10 days after finalizing: reminded on day 7 (3 before), which the clock then reaches, and day 11.
    clock.skip(Date.parse(dayOf(finalizedAt, 7)) - clock.now().getTime() + 1_000);
    await eventually(async () => expect((await remindersOf(tenant, invoice.id))[0]?.attempts).toHaveLength(1));

    await configure(tenant, { reminders: { before_due_days: [], after_due_days: [] } });
    const reminders = await eventually(async () => {
      const found = await remindersOf(tenant, invoice.id);
      expect(found[1]?.status).toBe('canceled');
      return found;
    });
    expect(summary(reminders)).toEqual([
      ['reminder_before_due', dayOf(finalizedAt, 7), 'pending', 1],
      ['reminder_overdue', dayOf(finalizedAt, 11), 'canceled', 0],
    ]);
    expect(reminders[1]?.next_attempt_at).toBeNull();
    expect((await emailEventsOf(invoice.id)).filter((event) => event.type === 'InvoiceEmailCanceled')).toEqual([
      {
        type: 'InvoiceEmailCanceled',
        data: expect.objectContaining({ invoice_status: 'open', reason: 'reminders_changed' }),
      },
    ]);
  });

  it('moves the reminders not yet sent to the new days and adds the days more, once however often it is told', async () => {
    const tenant = await tenantReminding([3], [1]);
    const finalizedAt = clock.now();
    const invoice = await finalize(tenant, finalizedAt);
    const scheduled = await remindersOf(tenant, invoice.id);
    expect(summary(scheduled)).toEqual([
      ['reminder_before_due', dayOf(finalizedAt, 7), 'pending', 0],
      ['reminder_overdue', dayOf(finalizedAt, 11), 'pending', 0],
    ]);

    await configure(tenant, { reminders: { before_due_days: [5], after_due_days: [2, 4] } });
    const moved = await eventually(async () => {
      const found = await remindersOf(tenant, invoice.id);
      expect(found).toHaveLength(3);
      return found;
    });
    // 5 days before the due date is day 5; 2 and 4 after are days 12 and 14. The two kept their ids.
    expect(summary(moved)).toEqual([
      ['reminder_before_due', dayOf(finalizedAt, 5), 'pending', 0],
      ['reminder_overdue', dayOf(finalizedAt, 12), 'pending', 0],
      ['reminder_overdue', dayOf(finalizedAt, 14), 'pending', 0],
    ]);
    expect(moved.slice(0, 2).map((email) => email.id)).toEqual(scheduled.map((email) => email.id));
    // On the real clock, a moved reminder is due at its new time.
    expect(moved.map((email) => email.next_attempt_at)).toEqual(moved.map((email) => email.remind_at));

    // The settings change read again (a redelivery) records nothing more.
    const recorded = await emailEventsOf(invoice.id);
    const changes = await eventually(() => {
      const found = events.messages.filter((message) => {
        const record = parsed(message);
        return record?.type === configured && record.metadata.organization_id === tenant.organizationId;
      });
      expect(found).toHaveLength(2);
      return found;
    });
    await produce(
      topic(Topics.notificationEvents.name),
      changes.map(({ key, value }) => ({ key: key ?? '', value: value ?? '' })),
    );
    await settingsConsumerCaughtUp();
    expect(await emailEventsOf(invoice.id)).toEqual(recorded);
    expect(summary(await remindersOf(tenant, invoice.id))).toEqual(summary(moved));
  });

  it('adds reminders turned on only for times still ahead, and sends them when their time comes', async () => {
    const tenant = await tenantReminding([], []);
    const finalizedAt = clock.now();
    const invoice = await finalize(tenant, finalizedAt);
    expect(await remindersOf(tenant, invoice.id)).toEqual([]);
    clock.skip(8 * dayMs);

    await configure(tenant, { reminders: { before_due_days: [1, 3], after_due_days: [1] } });
    // 3 days before (day 7) has passed: not added. 1 before (day 9) and 1 after (day 11) are ahead.
    const added = await eventually(async () => {
      const found = await remindersOf(tenant, invoice.id);
      expect(found).toHaveLength(2);
      return found;
    });
    expect(summary(added)).toEqual([
      ['reminder_before_due', dayOf(finalizedAt, 9), 'pending', 0],
      ['reminder_overdue', dayOf(finalizedAt, 11), 'pending', 0],
    ]);

    clock.skip(Date.parse(dayOf(finalizedAt, 9)) - clock.now().getTime() + 1_000);
    await eventually(async () => expect((await remindersOf(tenant, invoice.id))[0]?.attempts).toHaveLength(1));
    expect((await remindersOf(tenant, invoice.id))[1]?.attempts).toEqual([]);
  });

  it('adds for a customer on a test clock only the times ahead of that clock, whatever the real time', async () => {
    const tenant = await tenantReminding([], []);
    const testClock = `clk${randomBytes(11).toString('hex')}`;
    const customerId = `cus${randomBytes(11).toString('hex')}`;
    await catalogKnows(service.pool, tenant, 'customer', customerId, { id: customerId, test_clock: testClock });
    const frozen = new Date('2030-01-01T12:00:00.000Z');
    const invoice = await finalize(tenant, frozen, customerId);
    await produce(topic(Topics.invoiceEvents.name), [
      clockAdvanced(tenant, testClock, frozen, '2030-01-09T00:00:00.000Z'),
    ]);
    await eventually(async () => {
      const { rows } = await service.pool.query('SELECT frozen_time FROM email_test_clocks WHERE id = $1', [testClock]);
      expect(rows[0]?.frozen_time.toISOString()).toBe('2030-01-09T00:00:00.000Z');
    });

    await configure(tenant, { reminders: { before_due_days: [1, 3], after_due_days: [1] } });
    // Due 2030-01-11: 3 days before (01-08) has passed on the clock, years after the real time; 01-10 and 01-12 not.
    const added = await eventually(async () => {
      const found = await remindersOf(tenant, invoice.id);
      expect(found).toHaveLength(2);
      return found;
    });
    expect(summary(added)).toEqual([
      ['reminder_before_due', '2030-01-10T00:00:00.000Z', 'pending', 0],
      ['reminder_overdue', '2030-01-12T00:00:00.000Z', 'pending', 0],
    ]);
  });

  /** Waits until the settings consumer has handled every record on `notification.events` so far. */
  async function settingsConsumerCaughtUp() {
    const admin = await service.kafka.admin();
    const end = await admin.fetchTopicOffsets(topic(Topics.notificationEvents.name));
    const group = consumerGroupId(topicPrefix, 'notification-service', reminderSettingsConsumer(clock.now).name);
    await eventually(
      async () => {
        const { rows } = await service.pool.query<{ partition: number; next_offset: string }>(
          'SELECT partition, next_offset FROM consumer_offsets WHERE group_id = $1',
          [group],
        );
        for (const { partition, high } of end)
          if (high !== '0')
            expect(rows.find((row) => row.partition === partition)?.next_offset ?? '0', `partition ${partition}`).toBe(
              high,
            );
      },
      { timeout: 20_000, label: 'the settings consumer caught up' },
    );
  }
});

const configured = notificationSettingsEventWireNames.NotificationsConfigured;
const parsed = (message: CollectedMessage) => JSON.parse(message.value ?? 'null');

/** invoicing's TestClockAdvanced on `invoice.events`. */
const clockAdvanced = (tenant: TestTenant, clockId: string, from: Date, to: string) => ({
  key: `test_clock-${clockId}`,
  value: JSON.stringify({
    event_id: randomUUID(),
    type: testClockEventWireNames.TestClockAdvanced,
    stream_id: `test_clock-${clockId}`,
    version: 2,
    data: { test_clock_id: clockId, from: from.toISOString(), frozen_time: to, advanced_at: new Date().toISOString() },
    metadata: {
      organization_id: tenant.organizationId,
      mode: tenant.mode,
      occurred_at: new Date().toISOString(),
      correlation_id: 't',
      causation_id: 't',
    },
  }),
});
