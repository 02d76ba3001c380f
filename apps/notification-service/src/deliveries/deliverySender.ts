import { type BackgroundLoop, type ServiceContext, startBackgroundLoop } from '@afternoon/service-kit';
import type { SendResult } from './businessLogic';
import { deliveryAttemptsCounter } from './deliveryAttempts';
import { type ClaimedDelivery, claimDueDeliveries } from './dueDeliveries';
import { recordAttempt } from './recordAttempt';
import { type SendSettings, sendWebhook } from './sendWebhook';
import { signPayload } from './signPayload';

export interface DeliverySenderSettings extends SendSettings {
  /** The pause between looks for due deliveries when nothing woke the sender. */
  intervalMs: number;
  /** How long a claimed delivery is held for its send before another sender may take it. */
  leaseMs: number;
  /** The most sends in flight in this sender. */
  maxInFlight: number;
  /** The most sends to one endpoint in flight, all senders together. */
  maxInFlightPerEndpoint: number;
  /** The schedule's clock: attempts are dated, and deliveries fall due, by it. */
  now(): Date;
  /** In [0, 1), for the retry schedule's jitter. */
  random(): number;
}

/**
 * Sends due deliveries in the background, each send on its own (up to `maxInFlight` at once, a few per endpoint),
 * so a slow or dead endpoint holds its own sends only. A send's end wakes the loop for the next due delivery. On
 * stop, sends in flight are cut short and not recorded: their leases run out and they are sent again (at least once,
 * with the same `webhook-id`).
 */
export function startDeliverySender(context: ServiceContext, settings: DeliverySenderSettings): BackgroundLoop<number> {
  const pool = context.pools.background;
  const inFlight = new Set<Promise<void>>();
  const shutdown = new AbortController();
  const attempts = deliveryAttemptsCounter(context.metrics.registry);

  const deliver = async (claim: ClaimedDelivery) => {
    const result = await send(claim, settings, shutdown.signal);
    await recordAttempt(pool, context, claim, result, settings.now, settings.random);
    attempts.inc({ outcome: result.succeeded ? 'succeeded' : 'failed' });
  };

  const loop = startBackgroundLoop({
    name: 'webhook delivery sender',
    logger: context.logger,
    intervalMs: settings.intervalMs,
    async turn() {
      const room = settings.maxInFlight - inFlight.size;
      if (room <= 0) return 0;
      const claimed = await claimDueDeliveries(pool, settings.now(), {
        count: room,
        perEndpoint: settings.maxInFlightPerEndpoint,
        leaseMs: settings.leaseMs,
      });
      for (const claim of claimed) {
        const sending: Promise<void> = deliver(claim)
          .catch((error: unknown) => {
            if (!shutdown.signal.aborted)
              context.logger.error(
                { err: error, delivery: claim.id },
                'webhook delivery not recorded; its lease will run out',
              );
          })
          .finally(() => {
            inFlight.delete(sending);
            loop.wake();
          });
        inFlight.add(sending);
      }
      return claimed.length;
    },
  });

  return {
    ...loop,
    async stop() {
      shutdown.abort();
      await loop.stop();
      await Promise.allSettled([...inFlight]);
    },
  };
}

/** One attempt: signed at its time, or refused without a request when there is nothing it could reach. */
async function send(
  claim: ClaimedDelivery,
  settings: DeliverySenderSettings,
  shutdown: AbortSignal,
): Promise<SendResult> {
  const attemptedAt = settings.now();
  const gone = (error: string): SendResult => ({
    succeeded: false,
    retryable: false,
    attempt: {
      attempted_at: attemptedAt.toISOString(),
      response_status: null,
      latency_ms: 0,
      response_body: null,
      error,
    },
  });
  if (claim.url === null) return gone('endpoint_deleted');
  if (claim.body === null) return gone('event_missing');
  const headers = signPayload(claim.eventId, claim.body, attemptedAt, claim.secrets);
  const sent = await sendWebhook(
    { url: claim.url, mode: claim.mode, body: claim.body, headers, attemptedAt },
    settings,
    shutdown,
  );
  return { ...sent, retryable: true };
}
