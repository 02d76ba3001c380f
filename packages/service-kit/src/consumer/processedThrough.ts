import type { TopicSpec } from '@afternoon/contracts/topics';
import type pg from 'pg';
import type { KafkaConnection } from '../kafka/kafka';
import type { Queryable } from '../postgres/database';
import { wakeGroup } from './fetchRests';

interface ProgressOptions {
  pool: pg.Pool;
  kafka: KafkaConnection;
  groupId: string;
  topic: TopicSpec;
}

/** The end of each partition of a topic, read after the instant `asOf` (so it counts every record appended before). */
export interface TopicEnds {
  asOf: Date;
  ends: { partition: number; high: string }[];
}

/** Where the group stands on each partition: its next offset and the append time of the last record it handled. */
export type HandledPositions = ReadonlyMap<number, { next_offset: string; last_record_at: Date | null }>;

/**
 * The instant before which every record appended to `topic` has been handled by the group. A partition the group
 * has fully handled vouches for the moment its end was read; one it lags on, only for the append time of the last
 * record it handled (the topic must stamp records with the broker's append time for that to be monotonic).
 */
export async function processedThrough(options: ProgressOptions): Promise<Date> {
  // The positions only ever grow, so reading them before the ends (or beside them) can only understate how far.
  const [ends, positions] = await Promise.all([
    topicEnds(options),
    handledPositions(options.pool, options.groupId, options.kafka.topic(options.topic)),
  ]);
  return throughOf(ends, positions);
}

async function topicEnds({ kafka, topic }: ProgressOptions): Promise<TopicEnds> {
  const admin = await kafka.admin();
  const asOf = new Date();
  return { asOf, ends: await admin.fetchTopicOffsets(kafka.topic(topic)) };
}

async function handledPositions(db: Queryable, groupId: string, topic: string): Promise<HandledPositions> {
  const { rows } = await db.query<{ partition: number; next_offset: string; last_record_at: Date | null }>(
    'SELECT partition, next_offset::text, last_record_at FROM consumer_offsets WHERE group_id = $1 AND topic = $2',
    [groupId, topic],
  );
  return new Map(rows.map((row) => [row.partition, row]));
}

/**
 * A partition the group has fully handled vouches for the moment its end was read; one it lags on, only for the
 * append time of the last record it handled (the topic stamps records with the broker's append time).
 */
export function throughOf({ asOf, ends }: TopicEnds, handled: HandledPositions): Date {
  let through = asOf;
  for (const { partition, high } of ends) {
    const position = handled.get(partition);
    if (BigInt(position?.next_offset ?? 0) >= BigInt(high)) continue;
    const lastHandled = position?.last_record_at ?? new Date(0);
    if (lastHandled < through) through = lastHandled;
  }
  return through;
}

/**
 * A check, begun before the work that depends on it, that the group had handled every record appended before an
 * instant: the topic's ends are read at once, beside that work; the group's positions are read by the caller
 * (`readPositions`) in its own transaction before it reads anything the group writes, so what it read is at least
 * as far along. The caller commits only if `passed`.
 */
export interface HandledCheck {
  readPositions(tx: Queryable): Promise<void>;
  passed(): Promise<boolean>;
}

/** A wait until the group has handled everything appended to the topic before `instant`; false after `timeoutMs`. */
export interface ProcessedThroughWaiter {
  (instant: Date, timeoutMs: number): Promise<boolean>;
  /** The same question without waiting, its Kafka read overlapping the caller's work (see `HandledCheck`). */
  check(instant: Date): HandledCheck;
}

/**
 * Waits until the group has handled every record appended to `topic` before `instant`; false after `timeoutMs`.
 * Remembers the furthest point seen, so a wait or check for an instant already passed costs nothing. A member of the
 * group resting in this process is woken while it is behind (ADR 0052).
 */
export function processedThroughWaiter(options: ProgressOptions): ProcessedThroughWaiter {
  let reached = new Date(0);
  const advance = (through: Date) => {
    if (through > reached) reached = through;
  };
  const wait = async (instant: Date, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (reached > instant) return true;
      wakeGroup(options.groupId);
      advance(await processedThrough(options));
      if (reached > instant) return true;
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const check = (instant: Date): HandledCheck => {
    if (reached > instant) return { readPositions: async () => undefined, passed: async () => true };
    const ends = topicEnds(options);
    // Awaited only by `passed`, which a caller whose work failed never asks.
    ends.catch(() => undefined);
    let positions: HandledPositions | undefined;
    return {
      async readPositions(tx) {
        positions = await handledPositions(tx, options.groupId, options.kafka.topic(options.topic));
      },
      async passed() {
        if (!positions) throw new Error('the positions were not read before the check');
        advance(throughOf(await ends, positions));
        if (reached > instant) return true;
        wakeGroup(options.groupId);
        return false;
      },
    };
  };
  return Object.assign(wait, { check });
}
