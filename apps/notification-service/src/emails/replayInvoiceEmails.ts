import {
  InvoiceEmailEvent,
  InvoiceEmailKind,
  type InvoiceEmailReplayAnswer,
  invoiceEmailReplayEventWireNames,
  ReplayInvoiceEmails,
} from '@afternoon/contracts/invoiceEmails';
import { CommandRecord, type CommandReply, type EventMetadata, Headers } from '@afternoon/contracts/messaging';
import { Topics } from '@afternoon/contracts/topics';
import {
  appendToStream,
  type ConsumerDefinition,
  DomainError,
  enqueueOutbox,
  eventMessage,
  foldEvents,
  parseRecordJson,
  readStream,
  type Tenant,
  type Transaction,
  type WithMetadata,
} from '@afternoon/service-kit';
import type { DeliveryOutbox } from '../deliveries/deliveryEvents';
import { emailDeliveryStream } from './emailDelivery';
import { recordEmailEvents } from './emailEvents';
import { emailRetryDecider } from './retryInvoiceEmail';

type ReplayCommand = WithMetadata<ReplayInvoiceEmails>;

/** The stream of one replay by request. */
export const emailReplayStream = (replayId: string) => `invoice_email_replay-${replayId}`;

/**
 * `ReplayInvoiceEmails` records a retry on every email of its window, each on its own stream, which the kit's
 * aggregates (one stream per command) cannot: as the webhooks' replays do, this consumer of `notification.commands`
 * takes that command type (the commands consumer has no aggregate for it and skips it) and answers it once per
 * command id, the reply through the outbox, in the transaction that records the retries.
 */
export const emailReplayCommandsConsumer: ConsumerDefinition = {
  name: 'invoice-email-replays',
  topics: [Topics.notificationCommands],
  deadLetterTopic: Topics.notificationCommandsDeadLetter,
  async handle(tx, record, context) {
    // A record that is not an email replay (or not a command at all) is another consumer's.
    const envelope = CommandRecord.safeParse(parseRecordJson(record.value));
    if (!envelope.success || envelope.data.type !== 'ReplayInvoiceEmails') return context.skip();
    context.setType(envelope.data.type);
    const { metadata } = envelope.data;
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
        topic: context.kafka.topic(Topics.gatewayReplies),
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
  const parsed = ReplayInvoiceEmails.safeParse({ type: envelope.type, data: envelope.data });
  if (!parsed.success)
    return { ...replyTo, ok: false, error: { code: 'VALIDATION_ERROR', message: parsed.error.message } };
  try {
    const result = await replayInvoiceEmails(tx, { ...parsed.data, metadata }, outbox);
    return { ...replyTo, ok: true, result };
  } catch (error) {
    if (error instanceof DomainError) return { ...replyTo, ok: false, error: error.toApiError() };
    throw error;
  }
}

const emailDelivery = { initialState: emailRetryDecider.initialState, evolve: emailRetryDecider.evolve };

/**
 * Retries every email of the command's tenant first scheduled in [from, to), of the given kinds, as a retry by
 * request does (`InvoiceEmailRetryRequested`, due when the replay was asked for, whatever the status), and records
 * the replay. The rows are locked first, in order, so a sender recording an attempt finishes before its stream is
 * read, and two replays never wait on each other in a circle.
 */
export async function replayInvoiceEmails(
  tx: Transaction,
  command: ReplayCommand,
  outbox: DeliveryOutbox,
): Promise<InvoiceEmailReplayAnswer> {
  const { replay_id, from, to } = command.data;
  const kinds: InvoiceEmailKind[] = command.data.kinds ?? [...InvoiceEmailKind.options];
  const tenant: Tenant = { organizationId: command.metadata.organization_id, mode: command.metadata.mode };
  const { rows: emails } = await tx.query<{ id: string; invoice_id: string }>(
    `SELECT id, invoice_id FROM email_deliveries
      WHERE organization_id = $1 AND mode = $2 AND created_at >= $3 AND created_at < $4 AND kind = ANY($5::text[])
      ORDER BY id FOR UPDATE`,
    [tenant.organizationId, tenant.mode, from, to, kinds],
  );
  const metadata: EventMetadata = {
    organization_id: tenant.organizationId,
    mode: tenant.mode,
    occurred_at: command.metadata.issued_at,
    correlation_id: command.metadata.correlation_id,
    causation_id: command.metadata.command_id,
  };
  for (const email of emails) {
    const stream = emailDeliveryStream(email.id);
    const history = (await readStream(tx, stream, tenant)).map((stored) => InvoiceEmailEvent.parse(stored));
    const retry = {
      type: 'RetryInvoiceEmail' as const,
      data: { invoice_id: email.invoice_id, email_id: email.id },
      metadata: command.metadata,
    };
    const events = emailRetryDecider.decide(retry, foldEvents(emailDelivery, history));
    await recordEmailEvents(tx, outbox, stream, history.length, events, metadata);
  }
  const requestedAt = command.metadata.issued_at;
  const replay = { id: replay_id, from, to, kinds, replayed: emails.length, requested_at: requestedAt };
  const stored = await appendToStream(
    tx,
    emailReplayStream(replay_id),
    0,
    [
      {
        type: 'InvoiceEmailsReplayed',
        data: { replay_id, from, to, kinds, replayed: emails.length, occurred_at: requestedAt },
      },
    ],
    metadata,
  );
  const topic = outbox.kafka.topic(Topics.notificationEvents);
  await enqueueOutbox(
    tx,
    outbox.schema,
    stored.map((event) => eventMessage(topic, invoiceEmailReplayEventWireNames, event)),
  );
  return { replay };
}
