import { type InvoiceEmailEvent, invoiceEmailEventWireNames } from '@afternoon/contracts/invoiceEmails';
import type { EventMetadata } from '@afternoon/contracts/messaging';
import { Topics } from '@afternoon/contracts/topics';
import { appendToStream, enqueueOutbox, eventMessage, type Transaction } from '@afternoon/service-kit';
import type { DeliveryOutbox } from '../deliveries/deliveryEvents';
import { emailDeliveriesProjection } from './getInvoiceEmails';

/**
 * Appends events of an email's stream (decided outside a command: scheduling, attempts), projects them and queues
 * them for `notification.events`, all in the caller's transaction.
 */
export async function recordEmailEvents(
  tx: Transaction,
  outbox: DeliveryOutbox,
  streamId: string,
  expectedVersion: number,
  events: readonly InvoiceEmailEvent[],
  metadata: EventMetadata,
): Promise<void> {
  const stored = await appendToStream(tx, streamId, expectedVersion, events, metadata);
  for (const event of stored) await emailDeliveriesProjection.apply(tx, event);
  const topic = outbox.kafka.topic(Topics.notificationEvents);
  await enqueueOutbox(
    tx,
    outbox.schema,
    stored.map((event) => eventMessage(topic, invoiceEmailEventWireNames, event)),
  );
}
