import type { WebhookAttempt } from '@afternoon/contracts/webhooks';
import { NotFoundError } from '@afternoon/service-kit';
import { commandMetadata, deciderSpec } from '@afternoon/testkit/decider';
import { describe, expect, it } from 'vitest';
import { attemptRecorded, type DeliveryCommand, deliveryDecider } from './businessLogic';
import { type DeliveryEvent, evolveDelivery, initialDeliveryState } from './delivery';

const endpointId = 'wendpoint0000000000000001';
const deliveryId = 'd00000000000000000000000a';
const scheduledAt = '2026-12-05T10:00:00.000Z';

const scheduled: DeliveryEvent = {
  type: 'WebhookDeliveryScheduled',
  data: {
    endpoint_id: endpointId,
    delivery_id: deliveryId,
    event_id: 'evt_0123456789abcdefghijklmn',
    event_type: 'invoice.paid',
    cause: 'event',
    due_at: scheduledAt,
    occurred_at: scheduledAt,
  },
};
const attempt = (status: number | null, at = scheduledAt): WebhookAttempt => ({
  attempted_at: at,
  response_status: status,
  latency_ms: 12,
  response_body: null,
  error: status === null ? 'timeout' : null,
});
const attempted = (outcome: 'succeeded' | 'retrying' | 'failed', status: number | null): DeliveryEvent => ({
  type: 'WebhookDeliveryAttempted',
  data: {
    endpoint_id: endpointId,
    delivery_id: deliveryId,
    attempt: attempt(status),
    outcome,
    next_attempt_at: outcome === 'retrying' ? '2026-12-05T10:00:05.000Z' : null,
    occurred_at: scheduledAt,
  },
});
const retry = (endpoint = endpointId): DeliveryCommand => ({
  type: 'RetryWebhookDelivery',
  data: { endpoint_id: endpoint, delivery_id: deliveryId },
  metadata: commandMetadata('2026-12-06T08:00:00.000Z'),
});

const { given } = deciderSpec(deliveryDecider);

describe('retrying a delivery by request', () => {
  it('schedules one more attempt when it was asked for, even after the delivery failed', () => {
    given([scheduled, attempted('failed', 500)])
      .when(retry())
      .thenEmits([
        {
          type: 'WebhookDeliveryScheduled',
          data: {
            ...scheduled.data,
            cause: 'retry',
            due_at: '2026-12-06T08:00:00.000Z',
            occurred_at: '2026-12-06T08:00:00.000Z',
          },
        },
      ]);
  });

  it('does not know a delivery of another endpoint, or none at all', () => {
    given([scheduled]).when(retry('wendpoint0000000000000002')).thenThrows(NotFoundError);
    given([]).when(retry()).thenThrows(NotFoundError);
  });
});

describe('recording an attempt', () => {
  const stateAfter = (events: DeliveryEvent[]) => {
    const state = events.reduce(evolveDelivery, initialDeliveryState());
    if (state.status === 'absent') throw new Error('no delivery');
    return state;
  };
  const now = new Date('2026-12-05T10:00:01.000Z');
  const noJitter = () => 0.5;

  it('succeeds on a 2xx, with nothing more to do', () => {
    const event = attemptRecorded(
      stateAfter([scheduled]),
      { attempt: attempt(204), succeeded: true, retryable: true },
      now,
      noJitter,
    );
    expect(event.data).toMatchObject({ outcome: 'succeeded', next_attempt_at: null });
  });

  it('retries the first failure 5 s later and the second 5 min later', () => {
    const failure = { attempt: attempt(500), succeeded: false, retryable: true };
    const first = attemptRecorded(stateAfter([scheduled]), failure, now, noJitter);
    expect(first.data).toMatchObject({ outcome: 'retrying', next_attempt_at: '2026-12-05T10:00:06.000Z' });
    const second = attemptRecorded(stateAfter([scheduled, first]), failure, now, noJitter);
    expect(second.data).toMatchObject({ outcome: 'retrying', next_attempt_at: '2026-12-05T10:05:01.000Z' });
  });

  it('fails after the eighth failed attempt, and a retry by request does not start the schedule again', () => {
    const history = [scheduled, ...Array.from({ length: 7 }, () => attempted('retrying', 500))];
    const failure = { attempt: attempt(null), succeeded: false, retryable: true };
    expect(attemptRecorded(stateAfter(history), failure, now, noJitter).data.outcome).toBe('failed');
    const retried = [
      ...history,
      attempted('failed', 500),
      { ...scheduled, data: { ...scheduled.data, cause: 'retry' as const } },
    ];
    expect(attemptRecorded(stateAfter(retried), failure, now, noJitter).data.outcome).toBe('failed');
  });

  it('fails at once when no attempt could ever succeed (the endpoint is gone)', () => {
    const gone = { attempt: attempt(null), succeeded: false, retryable: false };
    expect(attemptRecorded(stateAfter([scheduled]), gone, now, noJitter).data).toMatchObject({
      outcome: 'failed',
      next_attempt_at: null,
    });
  });
});
