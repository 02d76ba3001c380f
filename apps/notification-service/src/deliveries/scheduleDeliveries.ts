import type { WebhookEvent } from '@afternoon/contracts/webhooks';
import type { Tenant, Transaction } from '@afternoon/service-kit';

/**
 * Schedules one delivery of `event` to each of the tenant's endpoints enabled for its type, in the caller's
 * transaction (the one that records the event and the consumed offset); answers how many it scheduled.
 * The deliveries slice implements it; until then nothing is scheduled.
 */
export async function scheduleDeliveries(_tx: Transaction, _tenant: Tenant, _event: WebhookEvent): Promise<number> {
  return 0;
}
