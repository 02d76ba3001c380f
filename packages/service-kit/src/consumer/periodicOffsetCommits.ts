import type { Consumer } from '../kafka/kafka';
import type { Logger } from '../logger';

interface PartitionOffset {
  topic: string;
  partition: number;
  /** The next offset to read: one past the last record handled. */
  offset: string;
}

/**
 * Kafka's committed offsets of one consumer, sent in the background at most once per interval. kafkajs's autoCommit
 * commits after every fetched batch, whatever `autoCommitInterval` says: a broker round trip between handling a
 * batch and fetching the next, on every consumer. The offsets stored in Postgres decide what is handled
 * (`rewindToStoredOffsets`, the stored-offset check of each batch), so Kafka's only shortens the replay after a
 * restart or a rebalance and may lag an interval behind; a commit that fails (a rebalance, a coordinator moving)
 * is carried by the next one. Everything committed here is already stored, so Kafka's offset is never ahead of it.
 */
export class PeriodicOffsetCommits {
  private readonly handled = new Map<string, PartitionOffset>();
  private timer: NodeJS.Timeout | undefined;
  private committing: Promise<void> | undefined;

  constructor(
    private readonly consumer: Pick<Consumer, 'commitOffsets'>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  /** Notes that the partition is handled (and stored) through `offset`; committed with the next flush. */
  handledThrough(topic: string, partition: number, offset: string): void {
    this.handled.set(`${topic}\u0000${partition}`, { topic, partition, offset: (BigInt(offset) + 1n).toString() });
  }

  /** Forgets partitions outside the member's new assignment (`{topic: partitions}`): their new owner commits them. */
  assigned(assignment: Record<string, number[]>): void {
    for (const [key, { topic, partition }] of this.handled) {
      if (!assignment[topic]?.includes(partition)) this.handled.delete(key);
    }
  }

  /** Commits what was handled since the last commit; resolves once done (a failure is logged and retried later). */
  flush(): Promise<void> {
    this.committing ??= this.commit().finally(() => {
      this.committing = undefined;
    });
    return this.committing;
  }

  /** Stops the timer and commits the tail, waiting `timeoutMs` at most. */
  async stop(timeoutMs: number): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([
      this.flush(),
      new Promise<void>((resolve) => {
        timeout = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timeout);
  }

  private async commit(): Promise<void> {
    const offsets = [...this.handled.values()];
    if (offsets.length === 0) return;
    this.handled.clear();
    try {
      await this.consumer.commitOffsets(offsets);
    } catch (error) {
      // Put back what no later batch has moved on from, for the next flush.
      for (const offset of offsets) {
        const key = `${offset.topic}\u0000${offset.partition}`;
        if (!this.handled.has(key)) this.handled.set(key, offset);
      }
      this.logger.debug({ err: error }, 'Kafka offset commit failed; the next one carries it');
    }
  }
}
