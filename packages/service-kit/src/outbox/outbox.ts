import type { Transaction } from '../postgres/database';
import { SqlParameters } from '../postgres/sqlParameters';
import { withTraceHeaders } from '../tracing/spans';

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

/**
 * Queues messages for Kafka inside the caller's transaction: they are published if and only if it commits. Each
 * carries the active trace (`traceparent`), so what the relay sends later continues the trace that queued it.
 */
export async function enqueueOutbox(
  tx: Transaction,
  schema: string,
  messages: readonly OutboxMessage[],
): Promise<void> {
  if (messages.length === 0) return;
  const params = new SqlParameters();
  const tuples = messages.map((message) => {
    const { topic, key, headers, payload } = message;
    return `(${params.list([topic, key, JSON.stringify(withTraceHeaders(headers ?? {})), JSON.stringify(payload)])})`;
  });
  // One statement, one round trip: a data-modifying WITH runs whole whether or not the query reads it.
  const insert = `INSERT INTO outbox (topic, key, headers, payload) VALUES ${tuples.join(', ')}`;
  await tx.query(params.query(`WITH queued AS (${insert}) SELECT pg_notify(${params.add(outboxChannel(schema))}, '')`));
}
