import { describe, expect, it } from 'vitest';
import { cappedExponentialDelay } from './retryDelay';

describe('cappedExponentialDelay', () => {
  it.each([
    [1, 50, 100],
    [2, 100, 200],
    [9, 12_800, 25_600],
    [10, 15_000, 30_000],
    [1_000, 15_000, 30_000],
  ])('before retry %s waits between %s ms and %s ms', (attempt, shortest, longest) => {
    for (let draw = 0; draw < 100; draw++) {
      const delay = cappedExponentialDelay(attempt);
      expect(delay).toBeGreaterThanOrEqual(shortest);
      expect(delay).toBeLessThanOrEqual(longest);
    }
  });
});
