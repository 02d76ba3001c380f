/** How a request is retried after a 429, 503, 504, a 409 `IDEMPOTENCY_KEY_IN_USE` or a network error. */
export interface RetryPolicy {
  /** Retries after the first attempt (default 3); 0 never retries. */
  retries: number;
  /** The first backoff in ms, doubled on each retry (default 500). */
  baseDelayMs: number;
  /** No backoff, nor any Retry-After, waits longer than this (default 30 000 ms). */
  maxDelayMs: number;
  /** Waits `ms`; tests pass one that records instead of sleeping. */
  sleep: (ms: number) => Promise<void>;
  /** The current time in ms since the epoch, to read an HTTP-date Retry-After. */
  now: () => number;
  /** A number in [0, 1) for the jitter. */
  random: () => number;
}

export const defaultRetryPolicy: RetryPolicy = {
  retries: 3,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
  random: Math.random,
};

/**
 * How long to wait before retry number `retry` (0 for the first): what `Retry-After` asks when the answer has one,
 * else "full jitter" — a random wait up to the capped exponential backoff, so many clients refused together do not
 * come back together.
 */
export function retryDelayMs(policy: RetryPolicy, retry: number, retryAfter: string | null): number {
  const asked = retryAfterMs(retryAfter, policy.now());
  if (asked !== undefined) return Math.min(asked, policy.maxDelayMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(policy.random() * ceiling);
}

/** `Retry-After` as delta-seconds or an HTTP-date, in ms from `now`. */
function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
