import { type DeadLetter, deadLetterTopicNames } from '@afternoon/contracts/deadLetters';
import type { KafkaConnection } from '@afternoon/service-kit';
import type pg from 'pg';
import { replaysOf } from './deadLetterReplays';
import { deadLetteredAt, deadLetterIdOf, describeDeadLetter } from './describeDeadLetter';
import { type DeadLetterRecord, readDeadLetterTopics } from './readDeadLetterTopics';

export interface DeadLetterSource {
  kafka: KafkaConnection;
  pool: pg.Pool;
  topicPrefix: string;
}

export interface DeadLetterFilter {
  topic?: string;
  organizationId?: string;
}

/** A dead letter with the record it describes (a listing shows a truncated value; a replay sends the record). */
export interface FoundDeadLetter {
  letter: DeadLetter;
  record: DeadLetterRecord;
}

/** Every dead letter that matches, newest first (by the time it was dead-lettered, then by id). */
export async function findDeadLetters(source: DeadLetterSource, filter: DeadLetterFilter): Promise<FoundDeadLetter[]> {
  const topics = filter.topic ? [filter.topic] : deadLetterTopicNames;
  const records = await readDeadLetterTopics(source.kafka, topics, source.topicPrefix);
  const replays = await replaysOf(
    source.pool,
    records.map((record) => ({ id: deadLetterIdOf(record), deadLetteredAt: deadLetteredAt(record) })),
  );
  return records
    .map((record) => ({ record, letter: describeDeadLetter(record, replays.get(deadLetterIdOf(record))) }))
    .filter(({ letter }) => !filter.organizationId || letter.organization_id === filter.organizationId)
    .sort((a, b) => newestFirst(a.letter, b.letter));
}

/** Orders dead letters newest first; ties (one millisecond) by topic, then partition and offset, highest first. */
export function newestFirst(
  a: Pick<DeadLetter, 'id' | 'dead_lettered_at'>,
  b: Pick<DeadLetter, 'id' | 'dead_lettered_at'>,
): number {
  if (a.dead_lettered_at !== b.dead_lettered_at) return a.dead_lettered_at < b.dead_lettered_at ? 1 : -1;
  const [topicA = '', partitionA = '0', offsetA = '0'] = a.id.split('/');
  const [topicB = '', partitionB = '0', offsetB = '0'] = b.id.split('/');
  if (topicA !== topicB) return topicA < topicB ? 1 : -1;
  if (partitionA !== partitionB) return Number(partitionB) - Number(partitionA);
  return Number(BigInt(offsetB) - BigInt(offsetA));
}
