import type { IHeaders } from '../kafka/kafka';

/** Kafka headers as plain strings (kafkajs hands them over as Buffers). */
export function recordHeaders(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) result[name] = first.toString();
  }
  return result;
}
