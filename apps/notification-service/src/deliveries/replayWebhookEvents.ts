import { CommandRecord, type CommandReply, Headers } from '@afternoon/contracts/messaging';
import { Topics } from '@afternoon/contracts/topics';
import { type ReplayAnswer, ReplayWebhookEvents, type WebhookEventType } from '@afternoon/contracts/webhooks';
import {
  type ConsumerDefinition,
  DomainError,
  enqueueOutbox,
  NotFoundError,
  parseRecordJson,
  type Tenant,
  type Transaction,
  type WithMetadata,
} from '@afternoon/service-kit';
import { deliveryIdOf } from './delivery';
import type { DeliveryOutbox } from './deliveryEvents';
import { startDeliveries } from './scheduledDeliveries';

type ReplayCommand = WithMetadata<ReplayWebhookEvents>;

/**
 * `ReplayWebhookEvents` schedules one new delivery per event, each on its own stream, which the kit's aggregates (one
 * stream per command) cannot: this consumer of `notification.commands` takes that command type (the commands
 * consumer has no aggregate for it and skips it) and answers it the way the kit answers commands: once per command
 * id, the reply through the outbox, in the transaction that schedules the deliveries.
 */
export const replayCommandsConsumer: ConsumerDefinition = {
  name: 'webhook-replays',
  topics: [Topics.notificationCommands],
  deadLetterTopic: Topics.notificationCommandsDeadLetter,
  async handle(tx, record, context) {
    // A record that is not a replay (or not a command at all) is the commands consumer's.
    const envelope = CommandRecord.safeParse(parseRecordJson(record.value));
    if (!envelope.success || envelope.data.type !== 'ReplayWebhookEvents') return context.skip();
    context.setType(envelope.data.type);
    const { metadata } = envelope.data;
    const repliesTopic = context.kafka.topic(Topics.gatewayReplies);
    const previous = await tx.query<{ reply: CommandReply }>(
      'SELECT reply FROM handled_commands WHERE command_id = $1',
      [metadata.command_id],
    );
    const reply = previous.rows[0]?.reply ?? (await answer(tx, envelope.data, context));
    if (!previous.rows[0])
      await tx.query('INSERT INTO handled_commands (command_id, organization_id, reply) VALUES ($1, $2, $3)', [
        metadata.command_id,
        metadata.organization_id,
        JSON.stringify(reply),
      ]);
    await enqueueOutbox(tx, context.schema, [
      {
        topic: repliesTopic,
        key: reply.correlation_id,
        headers: { [Headers.correlationId]: reply.correlation_id },
        payload: reply,
      },
    ]);
  },
};

async function answer(tx: Transaction, envelope: CommandRecord, outbox: DeliveryOutbox): Promise<CommandReply> {
  const { metadata } = envelope;
  const replyTo = { correlation_id: metadata.correlation_id, command_id: metadata.command_id };
  const parsed = ReplayWebhookEvents.safeParse({ type: envelope.type, data: envelope.data });
  if (!parsed.success)
    return { ...replyTo, ok: false, error: { code: 'VALIDATION_ERROR', message: parsed.error.message } };
  try {
    const result = await replayEvents(tx, { ...parsed.data, metadata }, outbox);
    return { ...replyTo, ok: true, result };
  } catch (error) {
    if (error instanceof DomainError) return { ...replyTo, ok: false, error: error.toApiError() };
    throw error;
  }
}

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
