import type { EventMetadata } from '@afternoon/contracts/messaging';
import { Topics } from '@afternoon/contracts/topics';
import { type WebhookStoredEvent, webhookEventWireNames } from '@afternoon/contracts/webhooks';
import { recordEvents, type ServiceContext, type StoredEvent, type Transaction } from '@afternoon/service-kit';
import { webhookEndpointsProjection } from '../endpoints/getWebhookEndpoints';
import { deliveriesProjection } from './getDeliveries';

/** The read models of what the slice appends: its deliveries, and the endpoint's status when it is disabled. */
const projections = [deliveriesProjection, webhookEndpointsProjection];

/** What recording delivery events needs besides the transaction: where the outbox publishes them. */
export type DeliveryOutbox = Pick<ServiceContext, 'schema' | 'kafka'>;

/**
 * Appends events the deliveries slice decides outside a command (scheduling, attempts, disabling a failing
 * endpoint), projects them and queues them for `notification.events`, all in the caller's transaction.
 */
export async function recordDeliveryEvents(
  tx: Transaction,
  outbox: DeliveryOutbox,
  streamId: string,
  expectedVersion: number,
  events: readonly WebhookStoredEvent[],
  metadata: EventMetadata,
): Promise<StoredEvent[]> {
  return recordEvents(tx, outbox.schema, {
    streamId,
    expectedVersion,
    events,
    metadata,
    projections,
    wireNames: webhookEventWireNames,
    topicOf: () => outbox.kafka.topic(Topics.notificationEvents),
  });
}
