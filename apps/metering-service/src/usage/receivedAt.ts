import { isoInstant } from '@afternoon/contracts/isoInstant';
import type { ConsumedRecord } from '@afternoon/service-kit';

/**
 * When the ingest topic received a record: the broker's append time (the topic stamps `LogAppendTime`), the one
 * clock `processed_through` also follows, so a usage cutoff and the wait for it agree. A producer's own
 * `received_at` (the gateway's or a direct producer's) only bounds the event's timestamp.
 */
export function receivedAtOf(record: ConsumedRecord): string {
  return isoInstant(Number(record.timestamp));
}

/** Where a record came from, unique forever: the same record handled again is never counted again. */
export function sourceOf(record: ConsumedRecord): string {
  return `${record.topic}/${record.partition}/${record.offset}`;
}
