import type { EventMetadata } from '@afternoon/contracts/messaging';
import type { WebhookEventType } from '@afternoon/contracts/webhooks';
import type { Transaction } from '@afternoon/service-kit';
import { type DeliveryCause, deliveryStream } from './delivery';
import { type DeliveryOutbox, recordDeliveryEvents } from './deliveryEvents';

/** A delivery to schedule: one event to one endpoint. */
export interface NewDelivery {
  deliveryId: string;
  endpointId: string;
  eventId: string;
  eventType: WebhookEventType;
}

/**
 * Starts each delivery's stream with `WebhookDeliveryScheduled`, due at `dueAt`; one whose stream exists already (the
 * same event scheduled again) is left as it is. Answers how many it started.
 */
export async function startDeliveries(
  tx: Transaction,
  outbox: DeliveryOutbox,
  deliveries: readonly NewDelivery[],
  cause: DeliveryCause,
  dueAt: Date,
  metadata: EventMetadata,
): Promise<number> {
  if (deliveries.length === 0) return 0;
  const { rows } = await tx.query<{ stream_id: string }>(
    'SELECT DISTINCT stream_id FROM events WHERE stream_id = ANY($1::text[])',
    [deliveries.map((delivery) => deliveryStream(delivery.deliveryId))],
  );
  const started = new Set(rows.map((row) => row.stream_id));
  const fresh = deliveries.filter((delivery) => !started.has(deliveryStream(delivery.deliveryId)));
  for (const delivery of fresh) {
    await recordDeliveryEvents(
      tx,
      outbox,
      deliveryStream(delivery.deliveryId),
      0,
      [
        {
          type: 'WebhookDeliveryScheduled',
          data: {
            endpoint_id: delivery.endpointId,
            delivery_id: delivery.deliveryId,
            event_id: delivery.eventId,
            event_type: delivery.eventType,
            cause,
            due_at: dueAt.toISOString(),
            occurred_at: dueAt.toISOString(),
          },
        },
      ],
      metadata,
    );
  }
  return fresh.length;
}
