/** What kafkajs gives each `eachBatch` call to keep the consumer in its group and tell it when to give the batch up. */
export interface BatchControl {
  heartbeat(): Promise<void>;
  isRunning(): boolean;
  isStale(): boolean;
}

/**
 * Keeps the consumer's group membership while one batch waits or works: kafkajs heartbeats only between records, so
 * a handler or a retry wait longer than the session timeout would get the member evicted and the batch redone.
 * A failed heartbeat (a rebalance, a lost coordinator) is kept and rethrown once the work in hand has finished,
 * so kafkajs rejoins as it would after its own heartbeat; the work itself is never interrupted half way.
 */
export class BatchMembership {
  private lost: { error: unknown } | undefined;

  constructor(
    private readonly control: BatchControl,
    private readonly heartbeatIntervalMs: number,
  ) {}

  /** False once the consumer stops, the partition is reassigned or a heartbeat failed: leave the batch. */
  active(): boolean {
    return this.lost === undefined && this.control.isRunning() && !this.control.isStale();
  }

  /** Settles as `work` does, heartbeating every interval until then. */
  async during<T>(work: Promise<T>): Promise<T> {
    const timer = setInterval(() => void this.beat(), this.heartbeatIntervalMs);
    try {
      return await work;
    } finally {
      clearInterval(timer);
    }
  }

  /** Waits `ms`, heartbeating every interval; returns early when the batch is no longer active. */
  async wait(ms: number): Promise<void> {
    const until = Date.now() + ms;
    for (let left = ms; left > 0 && this.active(); left = until - Date.now()) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(left, this.heartbeatIntervalMs)));
      await this.beat();
    }
  }

  /** Rethrows the heartbeat failure, if any, so kafkajs rejoins the group (unless it is stopping anyway). */
  throwIfLost(): void {
    if (this.lost && this.control.isRunning()) throw this.lost.error;
  }

  private async beat(): Promise<void> {
    if (this.lost) return;
    try {
      await this.control.heartbeat();
    } catch (error) {
      this.lost ??= { error };
    }
  }
}

/** The control of batches fetched together: running while all are, stale once any is; the heartbeat is the consumer's. */
export function allOf(controls: readonly BatchControl[]): BatchControl {
  return {
    heartbeat: () => controls[0]?.heartbeat() ?? Promise.resolve(),
    isRunning: () => controls.every((control) => control.isRunning()),
    isStale: () => controls.some((control) => control.isStale()),
  };
}
