import type { WebhookEvent } from '@afternoon/contracts/webhooks';
import type { Tenant, Transaction } from '@afternoon/service-kit';
import type { DeliveryOutbox } from '../deliveries/deliveryEvents';
import { scheduleDeliveries } from '../deliveries/scheduleDeliveries';
import { scheduleInvoiceEmails } from '../emails/scheduleInvoiceEmails';

export interface RecordingOptions {
  /** The log's time of the event; its own timestamp by default (a source record's Kafka time for the topics'). */
  recordedAt?: string;
  /** False while a rebuild replays records whose deliveries were scheduled the first time. */
  schedule?: boolean;
  /** The topic record it was made from, if any (`<topic>/<partition>/<offset>`). */
  source?: string;
  /** When its deliveries are due: now on the schedule's clock. */
  now?: Date;
}

/**
 * Records a catalog event in the tenant's events log, in the caller's transaction, and schedules its deliveries and
 * the customer's invoice email if it is new (their events queued on `outbox`); answers whether it was (an event with
 * its id recorded already changes nothing).
 */
export async function recordWebhookEvent(
  tx: Transaction,
  tenant: Tenant,
  event: WebhookEvent,
  outbox: DeliveryOutbox,
  { recordedAt = event.timestamp, schedule = true, source, now }: RecordingOptions = {},
): Promise<boolean> {
  const inserted = await tx.query(
    `INSERT INTO webhook_events (id, organization_id, mode, type, version, occurred_at, body, recorded_at, source)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
    [
      event.id,
      tenant.organizationId,
      tenant.mode,
      event.type,
      event.version,
      event.timestamp,
      // The body of every delivery and of the log, once: the catalog's own key order, never re-serialized.
      JSON.stringify(event),
      recordedAt,
      source ?? null,
    ],
  );
  if (inserted.rowCount === 0) return false;
  if (!schedule) return true;
  await scheduleDeliveries(tx, tenant, event, outbox, now);
  await scheduleInvoiceEmails(tx, tenant, event, outbox, now);
  return true;
}
