/**
 * How long a consumer that gathers its records rests after a fetch that reached the end of its partitions, before
 * it fetches again: a steady stream is then handled in a few transactions a second instead of one a record
 * (ADR 0052). The fetch after a rest (or after a quiet spell) returns as soon as a record is there, so the first
 * record after a quiet spell is handled at once.
 */
export const restAfterFetchMs = 250;

/** The resting members in this process, by consumer group. */
const resting = new Map<string, Set<FetchRests>>();

/**
 * The rests of one member of a consumer group, `restMs` long (0: it never rests). `wake` ends the rest under way,
 * or skips the next one when none is: a reader that needs the group's records now (`waitUntilCaughtUp`,
 * `processedThroughWaiter`, through `wakeGroup`) never waits one out.
 */
export class FetchRests {
  private wanted = false;
  private stopped = false;
  private endCurrent: (() => void) | undefined;

  constructor(
    private readonly groupId: string,
    private readonly restMs: number,
  ) {
    if (restMs === 0) return;
    const members = resting.get(groupId) ?? new Set();
    resting.set(groupId, members.add(this));
  }

  /** The rest after one fetch, once handled: none unless it reached the end of what there was to fetch. */
  after(reachedEnd: boolean): Promise<void> {
    const skip = this.restMs === 0 || this.stopped || !reachedEnd || this.wanted;
    this.wanted = false;
    if (skip) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const end = () => {
        clearTimeout(timer);
        if (this.endCurrent === end) this.endCurrent = undefined;
        resolve();
      };
      const timer = setTimeout(end, this.restMs);
      this.endCurrent = end;
    });
  }

  wake(): void {
    if (this.endCurrent) this.endCurrent();
    else this.wanted = true;
  }

  /** The member stops: its rest ends, it rests no more, and no reader wakes it any more. */
  stop(): void {
    this.stopped = true;
    this.wake();
    const members = resting.get(this.groupId);
    members?.delete(this);
    if (members?.size === 0) resting.delete(this.groupId);
  }
}

/**
 * Ends the rests of the group's members in this process: someone is waiting for its records. A member in another
 * process still fetches again within its rest.
 */
export function wakeGroup(groupId: string): void {
  for (const member of resting.get(groupId) ?? []) member.wake();
}
