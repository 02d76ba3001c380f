import { RetryWebhookDelivery, webhookEventWireNames } from '@afternoon/contracts/webhooks';
import type { AggregateDefinition, Slice } from '@afternoon/service-kit';
import type { z } from 'zod';
import { NotificationServiceEnv } from '../env';
import { deliveryRoutes } from './api';
import { type DeliveryCommand, deliveryDecider } from './businessLogic';
import { DeliveryEvent, type DeliveryState, deliveryStream, toWebhookDelivery } from './delivery';
import { type DeliverySenderSettings, startDeliverySender } from './deliverySender';

export type { DeliverySenderSettings } from './deliverySender';

import { deliveriesProjection } from './getDeliveries';
import { replayCommandsConsumer } from './replayWebhookEvents';

export const deliveryAggregate: AggregateDefinition<DeliveryCommand, DeliveryEvent, DeliveryState> = {
  commandTypes: ['RetryWebhookDelivery'],
  commandSchema: RetryWebhookDelivery,
  eventSchema: DeliveryEvent,
  eventWireNames: webhookEventWireNames,
  streamId: (command) => deliveryStream(command.data.delivery_id),
  decider: deliveryDecider,
  result: (state, command) => {
    if (state.status === 'absent') throw new Error(`${command.type} left no delivery`);
    return toWebhookDelivery(state);
  },
};

/** The environment's settings of the sender. */
export const SenderEnv = NotificationServiceEnv.pick({
  WEBHOOK_ALLOW_HTTP: true,
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: true,
  WEBHOOK_TIMEOUT_MS: true,
  WEBHOOK_SENDER_INTERVAL_MS: true,
  WEBHOOK_SENDER_LEASE_MS: true,
  WEBHOOK_SENDER_MAX_IN_FLIGHT: true,
  WEBHOOK_SENDER_MAX_IN_FLIGHT_PER_ENDPOINT: true,
});
export type SenderEnv = z.infer<typeof SenderEnv>;

/** The sender's settings from the environment, on the schedule's clock. */
export function deliverySenderSettings(env: SenderEnv, now: () => Date): DeliverySenderSettings {
  return {
    intervalMs: env.WEBHOOK_SENDER_INTERVAL_MS,
    leaseMs: env.WEBHOOK_SENDER_LEASE_MS,
    maxInFlight: env.WEBHOOK_SENDER_MAX_IN_FLIGHT,
    maxInFlightPerEndpoint: env.WEBHOOK_SENDER_MAX_IN_FLIGHT_PER_ENDPOINT,
    timeoutMs: env.WEBHOOK_TIMEOUT_MS,
    allowHttp: env.WEBHOOK_ALLOW_HTTP,
    allowPrivateNetworks: env.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
    now,
    random: Math.random,
  };
}

/**
 * Webhook deliveries: scheduled for each event (`scheduleDeliveries`), retried and replayed by request, sent by the
 * background sender (with `sender`; null where only the projection matters, as in a rebuild), and read back as a log.
 */
export function deliveriesSlice(sender: DeliverySenderSettings | null): Slice {
  return {
    name: 'deliveries',
    aggregates: [deliveryAggregate],
    projections: [deliveriesProjection],
    consumers: [replayCommandsConsumer],
    routes: deliveryRoutes,
    background: sender ? [(context) => startDeliverySender(context, sender)] : [],
  };
}
