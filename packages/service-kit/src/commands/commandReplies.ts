import { type CommandMetadata, type CommandReply, Headers } from '@afternoon/contracts/messaging';
import { DomainError } from '../errors';
import { enqueueOutbox, type OutboxMessage } from '../outbox/outbox';
import type { Transaction } from '../postgres/database';

/** Where a command's reply goes: the service's outbox and the full name of the replies topic. */
export interface ReplyOutbox {
  schema: string;
  repliesTopic: string;
}

/** The replies given to a batch's command ids, read in one statement, and those the batch has given since. */
export interface RepliesOfBatch {
  /** The command ids read: one of them without a reply here has none. */
  read: ReadonlySet<string>;
  replies: Map<string, CommandReply>;
}

/** Reads the replies already given to `commandIds`, in the caller's transaction. */
export async function repliesOfBatch(tx: Transaction, commandIds: readonly string[]): Promise<RepliesOfBatch> {
  const { rows } = await tx.query<{ command_id: string; reply: CommandReply }>(
    'SELECT command_id, reply FROM handled_commands WHERE command_id = ANY($1::text[])',
    [commandIds],
  );
  return { read: new Set(commandIds), replies: new Map(rows.map((row) => [row.command_id, row.reply])) };
}

/**
 * Answers a command once per command id: a redelivered or retried command gets its first reply again and `answer`
 * does not run; otherwise `answer` runs and its reply is remembered and queued, all in the caller's transaction.
 * With `batch`, a command id it read is not looked up again, and the reply given is added to it.
 */
export async function answerCommandOnce(
  tx: Transaction,
  outbox: ReplyOutbox,
  metadata: CommandMetadata,
  answer: () => Promise<CommandReply>,
  batch?: RepliesOfBatch,
): Promise<void> {
  const commandId = metadata.command_id;
  const remembered = batch?.read.has(commandId) ? batch.replies.get(commandId) : await replyGiven(tx, commandId);
  const reply = remembered ?? (await answer());
  const message = replyMessage(outbox.repliesTopic, reply);
  if (remembered) return enqueueOutbox(tx, outbox.schema, [message]);
  batch?.replies.set(commandId, reply);
  const handled = [commandId, metadata.organization_id, JSON.stringify(reply)];
  // The command is remembered by the statement that queues its reply: one round trip.
  await enqueueOutbox(
    tx,
    outbox.schema,
    [message],
    (params) => `INSERT INTO handled_commands (command_id, organization_id, reply) VALUES (${params.list(handled)})`,
  );
}

async function replyGiven(tx: Transaction, commandId: string): Promise<CommandReply | undefined> {
  const { rows } = await tx.query<{ reply: CommandReply }>('SELECT reply FROM handled_commands WHERE command_id = $1', [
    commandId,
  ]);
  return rows[0]?.reply;
}

/** The reply to a command whose data its schema refused. */
export function invalidCommandReply(metadata: CommandMetadata, message: string): CommandReply {
  const replyTo = { correlation_id: metadata.correlation_id, command_id: metadata.command_id };
  return { ...replyTo, ok: false, error: { code: 'VALIDATION_ERROR', message } };
}

/** The reply to a command: what `work` returned, or the domain error it threw (any other error is the world's). */
export async function replyOf(metadata: CommandMetadata, work: () => Promise<unknown>): Promise<CommandReply> {
  const replyTo = { correlation_id: metadata.correlation_id, command_id: metadata.command_id };
  try {
    return { ...replyTo, ok: true, result: await work() };
  } catch (error) {
    if (error instanceof DomainError) return { ...replyTo, ok: false, error: error.toApiError() };
    throw error;
  }
}

function replyMessage(topic: string, reply: CommandReply): OutboxMessage {
  return {
    topic,
    key: reply.correlation_id,
    headers: { [Headers.correlationId]: reply.correlation_id },
    payload: reply,
  };
}
