import type { WebhookEvent } from '@afternoon/contracts/webhooks';
import type { Tenant, Transaction } from '@afternoon/service-kit';
import { deliveryIdOf } from './delivery';
import type { DeliveryOutbox } from './deliveryEvents';
import { startDeliveries } from './scheduledDeliveries';

/**
 * Schedules one delivery of `event` to each of the tenant's endpoints enabled for its type, due at once, in the
 * caller's transaction (the one that records the event and the consumed offset); answers how many it scheduled.
 * Scheduling an event again schedules nothing: each delivery's id is a function of the endpoint and the event.
 * `outbox` is the consumer's context (where the events are published); `now` the time they are due; `endpoints` the
 * tenant's endpoints for the event's type, when the caller has read them already.
 */
export async function scheduleDeliveries(
  tx: Transaction,
  tenant: Tenant,
  event: WebhookEvent,
  outbox: DeliveryOutbox,
  now: Date = new Date(),
  endpoints?: readonly string[],
): Promise<number> {
  const ids = endpoints ?? (await endpointsTaking(tx, tenant, event.type));
  const deliveries = ids.map((id) => ({
    deliveryId: deliveryIdOf(id, event.id, 'event', 0),
    endpointId: id,
    eventId: event.id,
    eventType: event.type,
  }));
  return startDeliveries(tx, outbox, deliveries, 'event', now, {
    organization_id: tenant.organizationId,
    mode: tenant.mode,
    occurred_at: now.toISOString(),
    correlation_id: event.id,
    causation_id: event.id,
  });
}

/** The ids of the tenant's enabled endpoints that take events of `type`, in id order. */
export async function endpointsTaking(tx: Transaction, tenant: Tenant, type: WebhookEvent['type']): Promise<string[]> {
  const { rows } = await tx.query<{ id: string }>(
    `SELECT id FROM webhook_endpoints
      WHERE organization_id = $1 AND mode = $2 AND status = 'enabled' AND enabled_events && ARRAY[$3, '*']
      ORDER BY id`,
    [tenant.organizationId, tenant.mode, type],
  );
  return rows.map((row) => row.id);
}
