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
  const stored = await appendToStream(tx, streamId, expectedVersion, events, metadata);
  for (const event of stored)
    for (const projection of projections)
      if (projection.handles.includes(event.type)) await projection.apply(tx, event);
  const topic = outbox.kafka.topic(Topics.notificationEvents);
  await enqueueOutbox(
    tx,
    outbox.schema,
    stored.map((event) => eventMessage(topic, webhookEventWireNames, event)),
  );
  return stored;
}
