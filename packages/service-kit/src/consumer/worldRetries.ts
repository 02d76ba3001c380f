import { failureKind } from '../failures';
import type { BatchMembership } from './batchMembership';
import type { RetryDelay } from './retryDelay';

/** How work on a record or batch ended: done, refused for the record's own reason, or left for whoever gets it next. */
export type Outcome<T> = { status: 'done'; value: T } | { status: 'refused'; error: unknown } | { status: 'abandoned' };

export interface WorldRetries {
  membership: BatchMembership;
  delay: RetryDelay;
  /** Called before each wait: log, count, and say on /readyz what the consumer is waiting for. */
  onRetry(error: unknown, attempt: number): void;
  /** Called once the work has an outcome: whatever was retried no longer holds the partition. */
  onOutcome(): void;
}

/**
 * Runs `work` until it succeeds or fails for the record's reason. Failures of the world (a database down, a lock,
 * a dependency behind) are waited out with backoff for as long as it takes, so a good record is never refused
 * for them; the wait ends only when the consumer stops or loses the partition, and the record is then abandoned
 * unhandled for the next owner of the partition.
 */
export async function untilRecordOutcome<T>(work: () => Promise<T>, retries: WorldRetries): Promise<Outcome<T>> {
  try {
    for (let attempt = 1; retries.membership.active(); attempt++) {
      try {
        return { status: 'done', value: await retries.membership.during(work()) };
      } catch (error) {
        if (failureKind(error) === 'record') return { status: 'refused', error };
        retries.onRetry(error, attempt);
        await retries.membership.wait(retries.delay(attempt));
      }
    }
    return { status: 'abandoned' };
  } finally {
    retries.onOutcome();
  }
}
