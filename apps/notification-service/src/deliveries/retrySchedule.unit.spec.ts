import { describe, expect, it } from 'vitest';
import { failingEndpointLimitMs, hasFailedTooLong, nextAttemptAt, retryDelaysMs } from './retrySchedule';

const failedAt = new Date('2026-12-05T10:00:00.000Z');
const after = (due: Date | null) => (due ? due.getTime() - failedAt.getTime() : null);

describe('the retry schedule', () => {
  it('retries after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h without jitter (random = 0.5)', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((failures) => after(nextAttemptAt(failures, failedAt, () => 0.5)));
    expect(delays).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
  });

  it('gives up after the eighth failed attempt', () => {
    expect(nextAttemptAt(8, failedAt, () => 0.5)).toBeNull();
  });

  it('jitters each delay by at most 10% either way', () => {
    retryDelaysMs.forEach((delay, index) => {
      // random 0 -> -10%, random just below 1 -> just below +10%
      expect(after(nextAttemptAt(index + 1, failedAt, () => 0))).toBe(Math.round(delay * 0.9));
      const longest = after(nextAttemptAt(index + 1, failedAt, () => 0.999999)) ?? 0;
      expect(longest).toBeLessThanOrEqual(Math.round(delay * 1.1));
      expect(longest).toBeGreaterThan(delay);
    });
  });
});

describe('an endpoint failing too long', () => {
  it('is disabled after exactly 3 days of failures, not a millisecond before', () => {
    const since = new Date('2026-12-01T00:00:00.000Z');
    expect(hasFailedTooLong(since, new Date(since.getTime() + failingEndpointLimitMs - 1))).toBe(false);
    expect(hasFailedTooLong(since, new Date(since.getTime() + failingEndpointLimitMs))).toBe(true);
  });
});
