/**
 * The most one produce request of the relay may carry, counted as record bytes. The broker refuses a partition's
 * record batch over `message.max.bytes` (1 MiB by default); half of it leaves room for the batch and request
 * headers and for a broker configured a little lower.
 */
export const maxRequestBytes = 512 * 1024;

/** A record's framing in Kafka's v2 format (length, attributes, deltas, varint lengths) is a few dozen bytes. */
const recordOverheadBytes = 64;
const headerOverheadBytes = 8;

export interface OutgoingMessage {
  key: string | null;
  headers: Record<string, string>;
  value: string;
}

/** What a message weighs in a produce request: value, key and headers plus Kafka's per-record framing. */
export function encodedSize(message: OutgoingMessage): number {
  let size =
    recordOverheadBytes + Buffer.byteLength(message.value) + (message.key ? Buffer.byteLength(message.key) : 0);
  for (const [name, value] of Object.entries(message.headers)) {
    size += headerOverheadBytes + Buffer.byteLength(name) + Buffer.byteLength(value);
  }
  return size;
}

/**
 * Cuts messages, in order, into consecutive batches of at most `limitBytes`. A message heavier than the limit
 * travels alone, so the broker, not a guess, decides whether it is too large.
 */
export function byteBoundedBatches<T extends { size: number }>(messages: readonly T[], limitBytes: number): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const message of messages) {
    if (current.length > 0 && currentBytes + message.size > limitBytes) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(message);
    currentBytes += message.size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
