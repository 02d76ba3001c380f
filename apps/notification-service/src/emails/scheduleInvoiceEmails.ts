import type { InvoiceEmailKind } from '@afternoon/contracts/invoiceEmails';
import type { EmailSettings } from '@afternoon/contracts/notificationSettings';
import { InvoicePayload } from '@afternoon/contracts/webhookCatalog';
import type { WebhookEvent } from '@afternoon/contracts/webhooks';
import type { Tenant, Transaction } from '@afternoon/service-kit';
import type { DeliveryOutbox } from '../deliveries/deliveryEvents';
import { emailDeliveryStream, emailIdOf } from './emailDelivery';
import { recordEmailEvents } from './emailEvents';
import { getNotificationSettings } from './settings/getNotificationSettings';

/** The email each catalog event type makes, and the setting that turns it off. */
const emailOf: Partial<Record<WebhookEvent['type'], { kind: InvoiceEmailKind; setting: keyof EmailSettings }>> = {
  'invoice.finalized': { kind: 'invoice', setting: 'invoice_finalized' },
  'invoice.paid': { kind: 'receipt', setting: 'invoice_paid_receipt' },
};

/**
 * Schedules the customer's email for a catalog event, due at `now`, in the caller's transaction (the one recording
 * the event and the consumed offset): for a `send_invoice` invoice whose customer has an email, when the tenant's
 * settings ask for it (in test mode only with `send_in_test_mode`). Answers whether it scheduled one; the same event
 * seen again schedules nothing.
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
  if (!settings[email.setting] || (tenant.mode === 'test' && !settings.send_in_test_mode)) return false;
  const emailId = emailIdOf(event.id, email.kind);
  const stream = emailDeliveryStream(emailId);
  const known = await tx.query('SELECT 1 FROM events WHERE stream_id = $1 LIMIT 1', [stream]);
  if (known.rowCount !== 0) return false;
  const at = now.toISOString();
  await recordEmailEvents(
    tx,
    outbox,
    stream,
    0,
    [
      {
        type: 'InvoiceEmailScheduled',
        data: {
          email_id: emailId,
          kind: email.kind,
          invoice_id: invoice.id,
          to: invoice.customer_email,
          event_id: event.id,
          invoice,
          due_at: at,
          occurred_at: at,
        },
      },
    ],
    {
      organization_id: tenant.organizationId,
      mode: tenant.mode,
      occurred_at: at,
      correlation_id: event.id,
      causation_id: event.id,
    },
  );
  return true;
}
