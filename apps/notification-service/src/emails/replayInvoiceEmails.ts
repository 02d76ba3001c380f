import {
  InvoiceEmailEvent,
  InvoiceEmailKind,
  type InvoiceEmailReplayAnswer,
  invoiceEmailReplayEventWireNames,
  ReplayInvoiceEmails,
} from '@afternoon/contracts/invoiceEmails';
import type { EventMetadata } from '@afternoon/contracts/messaging';
import { Topics } from '@afternoon/contracts/topics';
import {
  foldEvents,
  multiStreamCommandConsumer,
  readStream,
  recordEvents,
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

/** `ReplayInvoiceEmails` records a retry on every email of its window, each on its own stream. */
export const emailReplayCommandsConsumer = multiStreamCommandConsumer({
  name: 'invoice-email-replays',
  commandType: 'ReplayInvoiceEmails',
  commandSchema: ReplayInvoiceEmails,
  topic: Topics.notificationCommands,
  deadLetterTopic: Topics.notificationCommandsDeadLetter,
  handle: (tx, command, context) => replayInvoiceEmails(tx, command, context),
});

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
  const replayed = { replay_id, from, to, kinds, replayed: emails.length, occurred_at: requestedAt };
  await recordEvents(tx, outbox.schema, {
    streamId: emailReplayStream(replay_id),
    expectedVersion: 0,
    events: [{ type: 'InvoiceEmailsReplayed', data: replayed }],
    metadata,
    projections: [],
    wireNames: invoiceEmailReplayEventWireNames,
    topicOf: () => outbox.kafka.topic(Topics.notificationEvents),
  });
  return { replay };
}
