import type { TopicSpec } from '@afternoon/contracts/topics';
import type { HandledPositions, KafkaConnection, TopicEnds } from '@afternoon/service-kit';

/**
 * The horizon of a usage answer (`processed_through`): the instant before which every usage record received is in
 * the answer. The same arithmetic as the kit's `processedThrough`, split so the consumer's positions are read in
 * the answer's own snapshot (no round trip and no transaction of their own) while the topic's ends are read from
 * Kafka beside it. Positions read in the snapshot only understate how far the consumer is, as positions read
 * earlier would, so the horizon stays true of the answer.
 */
export interface UsageHorizon {
  /** The topic's ends, read at most `topicEndsMaxAgeMs` before this call (see `sharedWhileRecent`). */
  topicEnds(): Promise<TopicEnds>;
  /** The group and topic whose positions `positionsSql` reads from the kit's `consumer_offsets`. */
  groupId: string;
  topic: string;
}

/**
 * How old a read of the topic's ends an answer may use. Reading them costs the broker two ListOffsets requests (about
 * 2 ms of its CPU each time here) and metering a kafkajs round trip, which a dashboard or a poller asking many times
 * a second would pay on every question; sharing a read this recent costs the horizon at most this much freshness and
 * never its truth (the instant is the read's own).
 */
export const topicEndsMaxAgeMs = 50;

export function usageHorizon(
  kafka: KafkaConnection,
  groupId: string,
  topic: TopicSpec,
  now: () => number = Date.now,
): UsageHorizon {
  const name = kafka.topic(topic);
  return {
    groupId,
    topic: name,
    topicEnds: sharedWhileRecent(
      async () => {
        const admin = await kafka.admin();
        const asOf = new Date();
        return { asOf, ends: await admin.fetchTopicOffsets(name) };
      },
      topicEndsMaxAgeMs,
      now,
    ),
  };
}

/** The SQL of the positions as a JSON array, for a select list; `groupId` and `topic` are its parameters. */
export function positionsSql(groupId: string, topic: string): string {
  return `(SELECT coalesce(json_agg(json_build_array(partition, next_offset::text, last_record_at)), '[]')
             FROM consumer_offsets WHERE group_id = ${groupId} AND topic = ${topic})`;
}

/** The positions `positionsSql` answered. */
export function positionsOf(json: [number, string, string | null][]): HandledPositions {
  return new Map(
    json.map(([partition, next_offset, at]) => [partition, { next_offset, last_record_at: at ? new Date(at) : null }]),
  );
}

/**
 * `read`, shared by every caller within `maxAgeMs` of its start: a caller gets the latest read when it began at most
 * that long before the call (answered or still in flight), and starts a new one otherwise. A read that failed is
 * never shared again: the next caller reads anew.
 */
export function sharedWhileRecent<T>(read: () => Promise<T>, maxAgeMs: number, now: () => number): () => Promise<T> {
  let latest: { startedAt: number; answer: Promise<T> } | undefined;
  return () => {
    const at = now();
    if (latest && at - latest.startedAt <= maxAgeMs) return latest.answer;
    const current = { startedAt: at, answer: read() };
    latest = current;
    current.answer.catch(() => {
      if (latest === current) latest = undefined;
    });
    return current.answer;
  };
}
