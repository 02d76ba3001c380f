/**
 * How long a consumer's fetch waits on the broker. A consumer that requests wait on (commands, replies, rating)
 * gets each record as soon as it is written; one whose readers catch it up themselves when they need it (a
 * projection of another service's customers, with `catchUp`) gathers records for up to `gatheredWaitMs`, so a
 * steady stream is handled in a few transactions a second instead of one a record (ADR 0051).
 */
export const gatheredWaitMs = 250;

/** kafkajs's fetch settings for a consumer that gathers its records, or answers each at once. */
export function fetchWaits(gathered: boolean): { maxWaitTimeInMs: number; minBytes?: number } {
  // With nothing to fetch, an immediate consumer's fetch still returns every half second (a light poll).
  return gathered ? { maxWaitTimeInMs: gatheredWaitMs, minBytes: 1024 * 1024 } : { maxWaitTimeInMs: 500 };
}
