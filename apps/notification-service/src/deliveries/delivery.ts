import { createHash } from 'node:crypto';
import {
  type WebhookAttempt,
  type WebhookDelivery,
  WebhookDeliveryAttempted,
  WebhookDeliveryScheduled,
  type WebhookEventType,
} from '@afternoon/contracts/webhooks';
import { z } from 'zod';

/** What a delivery's stream holds: when it was (re)scheduled and every attempt. */
export const DeliveryEvent = z.discriminatedUnion('type', [WebhookDeliveryScheduled, WebhookDeliveryAttempted]);
export type DeliveryEvent = z.infer<typeof DeliveryEvent>;

export type DeliveryCause = WebhookDeliveryScheduled['data']['cause'];

/** The stream of one delivery of one event to one endpoint. */
export const deliveryStream = (deliveryId: string) => `webhook_delivery-${deliveryId}`;

const idDigits = 36n ** 24n;

/**
 * The id of the `n`-th delivery of an event to an endpoint for a cause ('d' and 24 base-36 characters of a SHA-256),
 * so scheduling the same event again (a replayed topic, a rebuild) finds the delivery it made before.
 */
export function deliveryIdOf(endpointId: string, eventId: string, cause: DeliveryCause, n: number): string {
  const digest = createHash('sha256')
    .update([endpointId, eventId, cause, String(n)].join('\u0000'))
    .digest('hex');
  return `d${(BigInt(`0x${digest}`) % idDigits).toString(36).padStart(24, '0')}`;
}

interface ScheduledDelivery {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: WebhookEventType;
  createdAt: string;
  attempts: WebhookAttempt[];
  /** Attempts that failed: where the retry schedule stands (a retry by request does not start it again). */
  failedAttempts: number;
  nextAttemptAt: string | null;
}

export type DeliveryState =
  | { status: 'absent' }
  | ({ status: 'pending' } & ScheduledDelivery)
  | ({ status: 'succeeded' } & ScheduledDelivery)
  | ({ status: 'failed' } & ScheduledDelivery);

export const initialDeliveryState = (): DeliveryState => ({ status: 'absent' });

export function evolveDelivery(state: DeliveryState, event: DeliveryEvent): DeliveryState {
  switch (event.type) {
    case 'WebhookDeliveryScheduled': {
      const { data } = event;
      if (state.status !== 'absent') return { ...state, status: 'pending', nextAttemptAt: data.due_at };
      return {
        status: 'pending',
        id: data.delivery_id,
        endpointId: data.endpoint_id,
        eventId: data.event_id,
        eventType: data.event_type,
        createdAt: data.occurred_at,
        attempts: [],
        failedAttempts: 0,
        nextAttemptAt: data.due_at,
      };
    }
    case 'WebhookDeliveryAttempted': {
      if (state.status === 'absent') return state;
      const { data } = event;
      const failed = data.outcome !== 'succeeded';
      return {
        ...state,
        status: data.outcome === 'retrying' ? 'pending' : data.outcome,
        attempts: [...state.attempts, data.attempt],
        failedAttempts: state.failedAttempts + (failed ? 1 : 0),
        nextAttemptAt: data.next_attempt_at,
      };
    }
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

export function toWebhookDelivery(state: Exclude<DeliveryState, { status: 'absent' }>): WebhookDelivery {
  return {
    id: state.id,
    endpoint_id: state.endpointId,
    event_id: state.eventId,
    event_type: state.eventType,
    status: state.status,
    attempts: state.attempts,
    next_attempt_at: state.nextAttemptAt,
    created_at: state.createdAt,
  };
}
