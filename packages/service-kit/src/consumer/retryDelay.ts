/** How long to wait before the `attempt`-th retry (1-based) of a record or batch that failed for the world's reason. */
export type RetryDelay = (attempt: number) => number;

const firstDelayMs = 100;
const longestDelayMs = 30_000;

/**
 * 100 ms doubling to 30 s, each delay drawn from its upper half: consumers that failed together (one database
 * outage) do not all retry at the same instant when it ends.
 */
export const cappedExponentialDelay: RetryDelay = (attempt) => {
  const ceiling = Math.min(longestDelayMs, firstDelayMs * 2 ** Math.min(attempt - 1, 20));
  return ceiling / 2 + Math.random() * (ceiling / 2);
};
