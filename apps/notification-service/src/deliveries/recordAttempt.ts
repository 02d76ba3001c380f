import { foldEvents, readStream, type Tenant, withTransaction } from '@afternoon/service-kit';
import type pg from 'pg';
import { attemptRecorded, deliveryDecider, type SendResult } from './businessLogic';
import { DeliveryEvent, deliveryStream } from './delivery';
import type { DeliveryOutbox } from './deliveryEvents';
import { recordDeliveryEvents } from './deliveryEvents';
import type { ClaimedDelivery } from './dueDeliveries';
import { disableIfFailingTooLong } from './failingEndpoints';

/**
 * Records one attempt of a claimed delivery at `now`, in one transaction: `WebhookDeliveryAttempted` with the
 * outcome and the next attempt, the log, and the endpoint disabled if it has failed too long. A sender whose lease
 * was taken over (it ran out, or the delivery was retried or failed meanwhile) records nothing: answers false.
 */
export async function recordAttempt(
  pool: pg.Pool,
  outbox: DeliveryOutbox,
  claim: ClaimedDelivery,
  result: SendResult,
  now: () => Date,
  random: () => number,
): Promise<boolean> {
  return withTransaction(pool, async (tx) => {
    const held = await tx.query(
      `SELECT 1 FROM webhook_deliveries WHERE id = $1 AND status = 'pending' AND leased_until = $2 FOR UPDATE`,
      [claim.id, claim.leasedUntil],
    );
    if (held.rowCount === 0) return false;
    const tenant: Tenant = { organizationId: claim.organizationId, mode: claim.mode };
    const stream = deliveryStream(claim.id);
    const history = (await readStream(tx, stream, tenant)).map((stored) => DeliveryEvent.parse(stored));
    const state = foldEvents(deliveryDecider, history);
    if (state.status === 'absent') throw new Error(`delivery ${claim.id} has no stream`);
    const at = now();
    const event = attemptRecorded(state, result, at, random);
    await recordDeliveryEvents(tx, outbox, stream, history.length, [event], {
      organization_id: claim.organizationId,
      mode: claim.mode,
      occurred_at: at.toISOString(),
      correlation_id: claim.eventId,
      causation_id: `${stream}/${history.length + 1}`,
    });
    if (!result.succeeded && result.retryable) await disableIfFailingTooLong(tx, outbox, tenant, claim.endpointId, at);
    return true;
  });
}
