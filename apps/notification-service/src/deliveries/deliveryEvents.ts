import type { EventMetadata } from '@afternoon/contracts/messaging';
import { Topics } from '@afternoon/contracts/topics';
import { type WebhookStoredEvent, webhookEventWireNames } from '@afternoon/contracts/webhooks';
import {
  appendToStream,
  enqueueOutbox,
  eventMessage,
  type ServiceContext,
  type StoredEvent,
  type Transaction,
} from '@afternoon/service-kit';
import { deliveriesProjection } from './getDeliveries';

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
  const stored = await appendToStream(tx, streamId, expectedVersion, events, metadata);
  // The endpoints slice's projection reads WebhookEndpointDisabled too (the endpoint's status): it is applied here.
  for (const event of stored) await deliveriesProjection.apply(tx, event);
  const topic = outbox.kafka.topic(Topics.notificationEvents);
  await enqueueOutbox(
    tx,
    outbox.schema,
    stored.map((event) => eventMessage(topic, webhookEventWireNames, event)),
  );
  return stored;
}
