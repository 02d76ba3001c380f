import { Topics } from '@afternoon/contracts/topics';
import { type ReplayAnswer, ReplayWebhookEvents, type WebhookEventType } from '@afternoon/contracts/webhooks';
import {
  multiStreamCommandConsumer,
  NotFoundError,
  type Tenant,
  type Transaction,
  type WithMetadata,
} from '@afternoon/service-kit';
import { deliveryIdOf } from './delivery';
import type { DeliveryOutbox } from './deliveryEvents';
import { startDeliveries } from './scheduledDeliveries';

type ReplayCommand = WithMetadata<ReplayWebhookEvents>;

/** `ReplayWebhookEvents` schedules one new delivery per event, each on its own stream. */
export const replayCommandsConsumer = multiStreamCommandConsumer({
  name: 'webhook-replays',
  commandType: 'ReplayWebhookEvents',
  commandSchema: ReplayWebhookEvents,
  topic: Topics.notificationCommands,
  deadLetterTopic: Topics.notificationCommandsDeadLetter,
  handle: (tx, command, context) => replayEvents(tx, command, context),
});

/**
 * Schedules a delivery (cause `replay`, due when the replay was asked for) of every event of the tenant that happened
 * in [from, to), of the given types, that the endpoint subscribes to. The n-th replay of an event to an endpoint is
 * its own delivery, with its own id.
 */
export async function replayEvents(
  tx: Transaction,
  command: ReplayCommand,
  outbox: DeliveryOutbox,
): Promise<ReplayAnswer> {
  const { endpoint_id, from, to, types } = command.data;
  const tenant: Tenant = { organizationId: command.metadata.organization_id, mode: command.metadata.mode };
  const endpoint = await tx.query<{ enabled_events: string[] }>(
    'SELECT enabled_events FROM webhook_endpoints WHERE id = $1 AND organization_id = $2 AND mode = $3',
    [endpoint_id, tenant.organizationId, tenant.mode],
  );
  const subscribed = endpoint.rows[0]?.enabled_events;
  if (!subscribed) throw new NotFoundError(`no webhook endpoint '${endpoint_id}'`, 'endpoint_id');
  const { rows: events } = await tx.query<{ id: string; type: WebhookEventType }>(
    `SELECT id, type FROM webhook_events
      WHERE organization_id = $1 AND mode = $2 AND occurred_at >= $3 AND occurred_at < $4
        AND ($5::text[] IS NULL OR type = ANY($5::text[])) AND ('*' = ANY($6::text[]) OR type = ANY($6::text[]))
      ORDER BY occurred_at, id`,
    [tenant.organizationId, tenant.mode, from, to, types, subscribed],
  );
  const { rows: earlier } = await tx.query<{ event_id: string; replays: number }>(
    `SELECT event_id, count(*)::int AS replays FROM webhook_deliveries
      WHERE endpoint_id = $1 AND organization_id = $2 AND mode = $3 AND cause = 'replay' AND event_id = ANY($4::text[])
      GROUP BY event_id`,
    [endpoint_id, tenant.organizationId, tenant.mode, events.map((event) => event.id)],
  );
  const replays = new Map(earlier.map((row) => [row.event_id, row.replays]));
  const deliveries = events.map((event) => ({
    deliveryId: deliveryIdOf(endpoint_id, event.id, 'replay', replays.get(event.id) ?? 0),
    endpointId: endpoint_id,
    eventId: event.id,
    eventType: event.type,
  }));
  const issuedAt = new Date(command.metadata.issued_at);
  const replayed = await startDeliveries(tx, outbox, deliveries, 'replay', issuedAt, {
    organization_id: tenant.organizationId,
    mode: tenant.mode,
    occurred_at: command.metadata.issued_at,
    correlation_id: command.metadata.correlation_id,
    causation_id: command.metadata.command_id,
  });
  return { replayed };
}
