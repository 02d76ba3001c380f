import type { RetryWebhookDelivery, WebhookAttempt, WebhookDeliveryAttempted } from '@afternoon/contracts/webhooks';
import { type Decider, NotFoundError, type WithMetadata } from '@afternoon/service-kit';
import { type DeliveryEvent, type DeliveryState, evolveDelivery, initialDeliveryState } from './delivery';
import { nextAttemptAt } from './retrySchedule';

export type DeliveryCommand = WithMetadata<RetryWebhookDelivery>;

export const deliveryNotFound = (id: string) => new NotFoundError(`no webhook delivery '${id}'`, 'id');

/** A retry by request: one more attempt, due when it was asked for, whatever the delivery's status. */
export const deliveryDecider: Decider<DeliveryCommand, DeliveryEvent, DeliveryState> = {
  initialState: initialDeliveryState,
  evolve: evolveDelivery,
  decide(command, state) {
    const { delivery_id, endpoint_id } = command.data;
    if (state.status === 'absent' || state.endpointId !== endpoint_id) throw deliveryNotFound(delivery_id);
    return [
      {
        type: 'WebhookDeliveryScheduled',
        data: {
          endpoint_id,
          delivery_id,
          event_id: state.eventId,
          event_type: state.eventType,
          cause: 'retry',
          due_at: command.metadata.issued_at,
          occurred_at: command.metadata.issued_at,
        },
      },
    ];
  },
};

/** What one send came to: its log entry, and whether another attempt could do better. */
export interface SendResult {
  attempt: WebhookAttempt;
  succeeded: boolean;
  /** False when no attempt can ever succeed (the endpoint is gone). */
  retryable: boolean;
}

/**
 * The event recording an attempt of a scheduled delivery at `now`: succeeded, or retried on the schedule (which
 * counts every failed attempt of the delivery, this one included), or failed once the schedule has run out.
 */
export function attemptRecorded(
  state: Exclude<DeliveryState, { status: 'absent' }>,
  result: SendResult,
  now: Date,
  random: () => number,
): WebhookDeliveryAttempted {
  const next = result.succeeded || !result.retryable ? null : nextAttemptAt(state.failedAttempts + 1, now, random);
  const outcome = result.succeeded ? 'succeeded' : next ? 'retrying' : 'failed';
  return {
    type: 'WebhookDeliveryAttempted',
    data: {
      endpoint_id: state.endpointId,
      delivery_id: state.id,
      attempt: result.attempt,
      outcome,
      next_attempt_at: next?.toISOString() ?? null,
      occurred_at: now.toISOString(),
    },
  };
}
