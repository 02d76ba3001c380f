import type { WebhookPayloads } from '@afternoon/contracts/webhookCatalog';
import type { WebhookEventType } from '@afternoon/contracts/webhooks';
import type { StoredEvent, Tenant, Transaction } from '@afternoon/service-kit';
import type { DeliveryOutbox } from '../deliveries/deliveryEvents';
import { recordWebhookEvent } from './recordWebhookEvent';
import { webhookEvent } from './toWebhookEvents';
import { webhookEventId } from './webhookEventId';

/**
 * Records the catalog event of something this service decided itself (an endpoint disabled, an alert's threshold
 * reached), in the transaction that stored it: its id hashes the stored event's, so it is made once.
 */
export function announceOwnEvent<T extends WebhookEventType>(
  tx: Transaction,
  outbox: DeliveryOutbox,
  tenant: Tenant,
  stored: StoredEvent,
  announced: { type: T; data: WebhookPayloads[T] },
  now?: Date,
): Promise<boolean> {
  const { type, data } = announced;
  const at = { timestamp: stored.metadata.occurred_at, mode: tenant.mode };
  const event = webhookEvent(type, webhookEventId(stored.eventId, type), at, data);
  return recordWebhookEvent(tx, tenant, event, outbox, { now });
}
