import { InvoiceEmailEvent } from '@afternoon/contracts/invoiceEmails';
import { foldEvents, readStream, withTransaction } from '@afternoon/service-kit';
import type pg from 'pg';
import type { DeliveryOutbox } from '../deliveries/deliveryEvents';
import type { ClaimedEmail } from './dueEmails';
import {
  emailDeliveryStream,
  evolveEmailDelivery,
  initialEmailDeliveryState,
  type ScheduledEmailState,
} from './emailDelivery';
import { recordEmailEvents } from './emailEvents';

const emailDelivery = { initialState: initialEmailDeliveryState, evolve: evolveEmailDelivery };

/**
 * Records what became of a claimed email at `now` in one transaction: `InvoiceEmailAttempted` with the outcome and
 * the next attempt (or a reminder's `InvoiceEmailCanceled`), and the log. A sender whose lease was taken over records
 * nothing: answers false.
 */
export async function recordEmailAttempt(
  pool: pg.Pool,
  outbox: DeliveryOutbox,
  claim: ClaimedEmail,
  outcome: (state: ScheduledEmailState, at: Date) => InvoiceEmailEvent,
  now: () => Date,
): Promise<boolean> {
  return withTransaction(pool, async (tx) => {
    const held = await tx.query(
      `SELECT 1 FROM email_deliveries WHERE id = $1 AND status = 'pending' AND leased_until = $2 FOR UPDATE`,
      [claim.id, claim.leasedUntil],
    );
    if (held.rowCount === 0) return false;
    const tenant = { organizationId: claim.organizationId, mode: claim.mode };
    const stream = emailDeliveryStream(claim.id);
    const history = (await readStream(tx, stream, tenant)).map((stored) => InvoiceEmailEvent.parse(stored));
    const state = foldEvents(emailDelivery, history);
    if (state.status === 'absent') throw new Error(`email ${claim.id} has no stream`);
    const at = now();
    await recordEmailEvents(tx, outbox, stream, history.length, [outcome(state, at)], {
      organization_id: claim.organizationId,
      mode: claim.mode,
      occurred_at: at.toISOString(),
      correlation_id: claim.eventId,
      causation_id: `${stream}/${history.length + 1}`,
    });
    return true;
  });
}
