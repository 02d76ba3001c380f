interface HandledPartition {
  labels: { group: string; topic: string; partition: string };
  /** Append time of the last record handled, in ms since the epoch. */
  lastRecordAt: number;
  /** Whether that record was the last of the partition when its batch was fetched. */
  caughtUp: boolean;
}

/** Where each group stands on each partition it handles in this process, for the processed-through delay. */
export class HandledPartitions {
  private readonly partitions = new Map<string, HandledPartition>();

  handled(group: string, topic: string, partition: number, record: { timestamp: string; lag: number }): void {
    this.partitions.set(`${group}\u0000${topic}\u0000${partition}`, {
      labels: { group, topic, partition: String(partition) },
      lastRecordAt: Number(record.timestamp),
      caughtUp: record.lag <= 0,
    });
  }

  /** Forgets the group's partitions outside its new assignment (`{topic: partitions}`): others handle them now. */
  assigned(group: string, assignment: Record<string, number[]>): void {
    for (const [key, { labels }] of this.partitions) {
      const kept = assignment[labels.topic]?.includes(Number(labels.partition)) ?? false;
      if (labels.group === group && !kept) this.partitions.delete(key);
    }
  }

  /** Seconds behind `now`: 0 for a partition handled to its end, else the age of the last record handled. */
  delays(now: number): Array<{ labels: HandledPartition['labels']; delaySeconds: number }> {
    return [...this.partitions.values()].map(({ labels, lastRecordAt, caughtUp }) => ({
      labels,
      delaySeconds: caughtUp ? 0 : Math.max(0, (now - lastRecordAt) / 1000),
    }));
  }
}
