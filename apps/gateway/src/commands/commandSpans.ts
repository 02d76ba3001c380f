import { activeTracer, startProducerSpan } from '@afternoon/service-kit';

/** Sends a command in a PRODUCER span of the request's trace; `send` gets the headers that carry its context. */
export async function sendCommandInSpan<T>(
  topic: string,
  headers: Record<string, string>,
  send: (headers: Record<string, string>) => Promise<T>,
): Promise<T> {
  const span = startProducerSpan(activeTracer(), topic, headers);
  try {
    const sent = await send(span.headers);
    span.end();
    return sent;
  } catch (error) {
    span.end(error);
    throw error;
  }
}
