import { type InvoiceEmailEvent, invoiceEmailEventWireNames } from '@afternoon/contracts/invoiceEmails';
import type { EventMetadata } from '@afternoon/contracts/messaging';
import { Topics } from '@afternoon/contracts/topics';
import { recordEvents, type Transaction } from '@afternoon/service-kit';
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
  await recordEvents(tx, outbox.schema, {
    streamId,
    expectedVersion,
    events,
    metadata,
    projections: [emailDeliveriesProjection],
    wireNames: invoiceEmailEventWireNames,
    topicOf: () => outbox.kafka.topic(Topics.notificationEvents),
  });
}
