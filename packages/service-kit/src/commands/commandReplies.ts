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
  const remembered = (await rememberedReplies(tx, [metadata.command_id])).get(metadata.command_id);
  const reply = remembered ?? (await answer());
  if (!remembered) await rememberReplies(tx, [{ organizationId: metadata.organization_id, reply }]);
  await queueReplies(tx, outbox, [{ reply }]);
}

/** The replies already given to any of these commands, by command id. */
export async function rememberedReplies(
  tx: Transaction,
  commandIds: readonly string[],
): Promise<Map<string, CommandReply>> {
  const { rows } = await tx.query<{ command_id: string; reply: CommandReply }>(
    'SELECT command_id, reply FROM handled_commands WHERE command_id = ANY($1::text[])',
    [commandIds],
  );
  return new Map(rows.map((row) => [row.command_id, row.reply]));
}

/** Remembers each command's reply (one statement), so a redelivered command is answered the same. */
export async function rememberReplies(
  tx: Transaction,
  answered: readonly { organizationId: string; reply: CommandReply }[],
): Promise<void> {
  if (answered.length === 0) return;
  await tx.query(
    `INSERT INTO handled_commands (command_id, organization_id, reply)
     SELECT command_id, organization_id, reply::jsonb FROM unnest($1::text[], $2::text[], $3::text[])
         AS answered (command_id, organization_id, reply)`,
    [
      answered.map(({ reply }) => reply.command_id),
      answered.map(({ organizationId }) => organizationId),
      answered.map(({ reply }) => JSON.stringify(reply)),
    ],
  );
}

/** Queues replies in the outbox (one statement), each with the headers given (a command's trace, in a batch). */
export async function queueReplies(
  tx: Transaction,
  outbox: ReplyOutbox,
  replies: readonly { reply: CommandReply; headers?: Record<string, string> }[],
): Promise<void> {
  await enqueueOutbox(
    tx,
    outbox.schema,
    replies.map(({ reply, headers }) => replyMessage(outbox.repliesTopic, reply, headers)),
  );
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

function replyMessage(topic: string, reply: CommandReply, headers?: Record<string, string>): OutboxMessage {
  return {
    topic,
    key: reply.correlation_id,
    headers: { ...headers, [Headers.correlationId]: reply.correlation_id },
    payload: reply,
  };
}
