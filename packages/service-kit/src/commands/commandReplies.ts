import { type CommandMetadata, type CommandReply, Headers } from '@afternoon/contracts/messaging';
import { DomainError } from '../errors';
import { enqueueOutbox, type OutboxMessage } from '../outbox/outbox';
import type { Transaction } from '../postgres/database';

/** Where a command's reply goes: the service's outbox and the full name of the replies topic. */
export interface ReplyOutbox {
  schema: string;
  repliesTopic: string;
}

/**
 * Answers a command once per command id: a redelivered or retried command gets its first reply again and `answer`
 * does not run; otherwise `answer` runs and its reply is remembered and queued, all in the caller's transaction.
 */
export async function answerCommandOnce(
  tx: Transaction,
  outbox: ReplyOutbox,
  metadata: CommandMetadata,
  answer: () => Promise<CommandReply>,
): Promise<void> {
  const previous = await tx.query<{ reply: CommandReply }>('SELECT reply FROM handled_commands WHERE command_id = $1', [
    metadata.command_id,
  ]);
  const remembered = previous.rows[0]?.reply;
  const reply = remembered ?? (await answer());
  if (!remembered)
    await tx.query('INSERT INTO handled_commands (command_id, organization_id, reply) VALUES ($1, $2, $3)', [
      metadata.command_id,
      metadata.organization_id,
      JSON.stringify(reply),
    ]);
  await enqueueOutbox(tx, outbox.schema, [replyMessage(outbox.repliesTopic, reply)]);
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
