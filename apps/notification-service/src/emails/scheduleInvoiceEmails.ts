import type { InvoiceEmailKind, InvoiceEmailScheduled } from '@afternoon/contracts/invoiceEmails';
import type { EmailSettings } from '@afternoon/contracts/notificationSettings';
import { InvoicePayload } from '@afternoon/contracts/webhookCatalog';
import type { WebhookEvent } from '@afternoon/contracts/webhooks';
import type { Tenant, Transaction } from '@afternoon/service-kit';
import type { DeliveryOutbox } from '../deliveries/deliveryEvents';
import { emailDeliveryStream, emailIdOf } from './emailDelivery';
import { recordEmailEvents } from './emailEvents';
import { customerTestClock } from './reminders/customerTestClock';
import { reminderSchedule } from './reminders/reminderSchedule';
import { getNotificationSettings } from './settings/getNotificationSettings';

/** The email each catalog event type makes, and the setting that turns it off. */
const emailOf: Partial<Record<WebhookEvent['type'], { kind: InvoiceEmailKind; setting: keyof EmailSettings }>> = {
  'invoice.finalized': { kind: 'invoice', setting: 'invoice_finalized' },
  'invoice.paid': { kind: 'receipt', setting: 'invoice_paid_receipt' },
};

type EmailPlan = Pick<InvoiceEmailScheduled['data'], 'email_id' | 'kind' | 'due_at' | 'remind_at' | 'test_clock_id'>;

/**
 * Schedules the customer's emails for a catalog event in the caller's transaction (the one recording the event and
 * the consumed offset): for a `send_invoice` invoice whose customer has an email, as the tenant's settings ask (in
 * test mode only with `send_in_test_mode`): the invoice or receipt, due at `now`, and on finalize the reminders, due
 * when the customer's clock reaches their time. Answers whether it scheduled any; the same event seen again
 * schedules nothing.
 */
export async function scheduleInvoiceEmails(
  tx: Transaction,
  tenant: Tenant,
  event: WebhookEvent,
  outbox: DeliveryOutbox,
  now: Date = new Date(),
): Promise<boolean> {
  const email = emailOf[event.type];
  if (!email) return false;
  const invoice = InvoicePayload.parse(event.data);
  if (invoice.collection_method !== 'send_invoice' || !invoice.customer_email) return false;
  const settings = (await getNotificationSettings(tx, tenant)).email;
  if (tenant.mode === 'test' && !settings.send_in_test_mode) return false;
  const at = now.toISOString();
  const plans: EmailPlan[] = settings[email.setting]
    ? [
        {
          email_id: emailIdOf(event.id, email.kind),
          kind: email.kind,
          due_at: at,
          remind_at: null,
          test_clock_id: null,
        },
      ]
    : [];
  if (event.type === 'invoice.finalized')
    plans.push(...(await reminderPlans(tx, tenant, event, invoice, settings, now)));
  let scheduled = false;
  for (const plan of plans) {
    const stream = emailDeliveryStream(plan.email_id);
    const known = await tx.query('SELECT 1 FROM events WHERE stream_id = $1 LIMIT 1', [stream]);
    if (known.rowCount !== 0) continue;
    const data = { ...plan, invoice_id: invoice.id, to: invoice.customer_email, event_id: event.id, invoice };
    await recordEmailEvents(
      tx,
      outbox,
      stream,
      0,
      [{ type: 'InvoiceEmailScheduled', data: { ...data, occurred_at: at } }],
      {
        organization_id: tenant.organizationId,
        mode: tenant.mode,
        occurred_at: at,
        correlation_id: event.id,
        causation_id: event.id,
      },
    );
    scheduled = true;
  }
  return scheduled;
}

/**
 * The invoice's reminders: on the real clock each is due at its time; on a test clock it is due now, and waits for
 * the clock (the sender compares `remind_at` with the clock's time).
 */
async function reminderPlans(
  tx: Transaction,
  tenant: Tenant,
  event: WebhookEvent,
  invoice: InvoicePayload,
  settings: EmailSettings,
  now: Date,
): Promise<EmailPlan[]> {
  const reminders = reminderSchedule(invoice, settings.reminders);
  if (reminders.length === 0) return [];
  const testClock = await customerTestClock(tx, tenant, invoice.customer_id);
  return reminders.map(({ kind, days, remindAt }) => ({
    email_id: emailIdOf(event.id, `${kind}/${days}`),
    kind,
    due_at: (testClock ? now : remindAt).toISOString(),
    remind_at: remindAt.toISOString(),
    test_clock_id: testClock,
  }));
}
