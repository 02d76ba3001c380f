import { CommandReply } from '@afternoon/contracts/messaging';
import type pg from 'pg';
import { withTransaction } from '../postgres/database';

/** One row of the `outbox` table as the relay reads it. */
export interface OutboxRow {
  position: string;
  topic: string;
  key: string | null;
  headers: Record<string, string>;
  /** The JSON text it was queued with: sent as it is, never parsed on the way. */
  payload: string;
}

const sizeRefusals = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

/** Whether Kafka refused a produce request for its size (the partition's `max.message.bytes`), not for the world. */
export function isSizeRefusal(error: unknown): boolean {
  const { type, cause } = error as { type?: string; cause?: { type?: string } };
  return sizeRefusals.has(type ?? '') || sizeRefusals.has(cause?.type ?? '');
}

/**
 * A small error reply standing in for a command reply the broker will not carry, so the waiting request is
 * answered instead of timing out; undefined when the row is not a command reply.
 */
export function errorReplyFor(row: OutboxRow, sizeBytes: number): CommandReply | undefined {
  const reply = CommandReply.safeParse(JSON.parse(row.payload));
  if (!reply.success) return undefined;
  const { correlation_id, command_id, ok } = reply.data;
  const outcome = ok
    ? 'The command was applied, but its result'
    : `The command was refused (${reply.data.error.code}), but the refusal`;
  return {
    correlation_id,
    command_id,
    ok: false,
    error: {
      code: 'INTERNAL_ERROR',
      message: `${outcome} is too large to send back (${sizeBytes} bytes).`,
    },
  };
}

/**
 * Moves a message the broker refused for its size into `outbox_failed` with the reason and size, in one
 * transaction; a command reply is replaced in place by its error reply (same position, so order is kept).
 */
export async function setAsideOversized(
  pool: pg.Pool,
  row: OutboxRow,
  failure: { sizeBytes: number; reason: string; replacement: CommandReply | undefined },
): Promise<void> {
  await withTransaction(pool, async (tx) => {
    await tx.query(
      `INSERT INTO outbox_failed (position, topic, key, headers, payload, size_bytes, reason, created_at)
       SELECT position, topic, key, headers, payload, $2, $3, created_at FROM outbox WHERE position = $1
       ON CONFLICT (position) DO NOTHING`,
      [row.position, failure.sizeBytes, failure.reason],
    );
    if (failure.replacement) {
      await tx.query('UPDATE outbox SET payload = $2 WHERE position = $1', [
        row.position,
        JSON.stringify(failure.replacement),
      ]);
    } else {
      await tx.query('DELETE FROM outbox WHERE position = $1', [row.position]);
    }
  });
}
