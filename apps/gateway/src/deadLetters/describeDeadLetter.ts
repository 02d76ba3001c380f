import { Mode } from '@afternoon/contracts/common';
import { type DeadLetter, type DeadLetterTopic, deadLetterValueLimit } from '@afternoon/contracts/deadLetters';
import { Headers } from '@afternoon/contracts/messaging';
import { parseRecordJson } from '@afternoon/service-kit';
import type { Replay } from './deadLetterReplays';
import type { DeadLetterRecord } from './readDeadLetterTopics';

/** `<dead-letter topic>/<partition>/<offset>`. */
export function deadLetterIdOf(record: DeadLetterRecord): string {
  return `${record.topic}/${record.partition}/${record.offset}`;
}

export function deadLetteredAt(record: DeadLetterRecord): string {
  return new Date(Number(record.timestamp)).toISOString();
}

/** A dead-lettered record as the admin listing shows it: who it belongs to and what it is, from headers or value. */
export function describeDeadLetter(record: DeadLetterRecord, replay: Replay | undefined): DeadLetter {
  const value = objectOf(parseRecordJson(record.value));
  const metadata = objectOf(value.metadata);
  const text = (...candidates: unknown[]) =>
    candidates.find((candidate): candidate is string => typeof candidate === 'string') ?? null;
  const { headers } = record;
  return {
    id: deadLetterIdOf(record),
    topic: record.topic as DeadLetterTopic,
    source: headers[Headers.deadLetterSource] ?? null,
    reason: headers[Headers.deadLetterReason] ?? null,
    dead_lettered_at: deadLetteredAt(record),
    organization_id: text(headers[Headers.organizationId], metadata.organization_id, value.organization_id),
    mode: Mode.safeParse(text(headers[Headers.mode], metadata.mode, value.mode)).data ?? null,
    type: text(headers[Headers.eventType], value.type, value.event_name),
    key: record.key,
    value: record.value === null ? null : record.value.slice(0, deadLetterValueLimit),
    value_truncated: (record.value?.length ?? 0) > deadLetterValueLimit,
    replayed_at: replay?.replayedAt ?? null,
    replays: replay?.replays ?? 0,
  };
}

function objectOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
