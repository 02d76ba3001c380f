import type { Transaction } from '../postgres/database';

export interface OutboxMessage {
  topic: string;
  key: string | null;
  headers?: Record<string, string>;
  payload: unknown;
}

/** The channel a relay listens on; a NOTIFY is delivered only when the writing transaction commits. */
export function outboxChannel(schema: string): string {
  return `${schema}_outbox`;
}

/** Queues messages for Kafka inside the caller's transaction: they are published if and only if it commits. */
export async function enqueueOutbox(
  tx: Transaction,
  schema: string,
  messages: readonly OutboxMessage[],
): Promise<void> {
  if (messages.length === 0) return;
  const values: unknown[] = [];
  const tuples = messages.map((message) => {
    const first = values.length + 1;
    values.push(message.topic, message.key, JSON.stringify(message.headers ?? {}), JSON.stringify(message.payload));
    return `($${first}, $${first + 1}, $${first + 2}, $${first + 3})`;
  });
  await tx.query(`INSERT INTO outbox (topic, key, headers, payload) VALUES ${tuples.join(', ')}`, values);
  await tx.query('SELECT pg_notify($1, $2)', [outboxChannel(schema), '']);
}
