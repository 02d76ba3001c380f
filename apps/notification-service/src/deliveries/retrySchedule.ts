/**
 * The Standard Webhooks retry schedule: after the first attempt fails, the next come this long after the previous
 * one; once the last of them has failed too, the delivery has failed.
 */
export const retryDelaysMs = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
] as const;

/** Each delay is stretched or shrunk by up to this fraction, so endpoints that failed together are not retried together. */
export const jitterFraction = 0.1;

/** How long an endpoint's deliveries may fail without a success between them before the endpoint is disabled. */
export const failingEndpointLimitMs = 3 * 24 * 3_600_000;

/**
 * When the attempt after the `failedAttempts`-th failure is due, from `now` (that failure's time), or null when the
 * schedule has run out. `random` returns a number in [0, 1), like Math.random.
 */
export function nextAttemptAt(failedAttempts: number, now: Date, random: () => number): Date | null {
  const delay = retryDelaysMs[failedAttempts - 1];
  if (delay === undefined) return null;
  const jitter = (random() * 2 - 1) * jitterFraction;
  return new Date(now.getTime() + Math.round(delay * (1 + jitter)));
}

/** Whether an endpoint failing since `failingSince` (no success since then) has failed long enough to be disabled. */
export function hasFailedTooLong(failingSince: Date, now: Date): boolean {
  return now.getTime() - failingSince.getTime() >= failingEndpointLimitMs;
}
