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
  /** The topic's ends, read after this call began; concurrent callers share a read (see `sharedAfterCall`). */
  topicEnds(): Promise<TopicEnds>;
  /** The group and topic whose positions `positionsSql` reads from the kit's `consumer_offsets`. */
  groupId: string;
  topic: string;
}

export function usageHorizon(kafka: KafkaConnection, groupId: string, topic: TopicSpec): UsageHorizon {
  const name = kafka.topic(topic);
  return {
    groupId,
    topic: name,
    topicEnds: sharedAfterCall(async () => {
      const admin = await kafka.admin();
      const asOf = new Date();
      return { asOf, ends: await admin.fetchTopicOffsets(name) };
    }),
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
 * `read`, shared by concurrent callers without ever answering one of them with a read begun before its call: a
 * caller who finds a read in flight waits for the next one, which starts when that one settles and serves every
 * caller that arrived meanwhile. Ten concurrent queries make two reads of Kafka instead of ten.
 */
export function sharedAfterCall<T>(read: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | undefined;
  let next: Promise<T> | undefined;
  const launch = (): Promise<T> => {
    const flight = read();
    inFlight = flight;
    const settle = () => {
      if (inFlight === flight) inFlight = undefined;
    };
    flight.then(settle, settle);
    return flight;
  };
  return () => {
    if (!inFlight) return launch();
    if (!next) {
      const settled = inFlight.then(
        () => undefined,
        () => undefined,
      );
      next = settled.then(() => {
        next = undefined;
        return launch();
      });
    }
    return next;
  };
}
