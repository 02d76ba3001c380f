import type { Producer, ProducerRecord, RecordMetadata } from 'kafkajs';

/** The broker did not acknowledge a send in time. The records may still land later: callers answer "retry". */
export class ProduceTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`the broker did not acknowledge the send within ${timeoutMs} ms`);
    this.name = 'ProduceTimeoutError';
  }
}

/**
 * Sends with `acks: all` and stops waiting after `timeoutMs`. During a broker outage kafkajs retries a send for
 * tens of seconds; a request waiting on it must answer promptly instead, and is never told "done" unless acked.
 * Answers where each partition's records landed (`baseOffset`: the first one's offset).
 */
export async function sendWithin(
  producer: Producer,
  record: ProducerRecord,
  timeoutMs: number,
): Promise<RecordMetadata[]> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new ProduceTimeoutError(timeoutMs)), timeoutMs);
  });
  try {
    // The race handles a late rejection of the send too, so an outlived send never becomes an unhandled rejection.
    return await Promise.race([producer.send({ ...record, acks: -1 }), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
