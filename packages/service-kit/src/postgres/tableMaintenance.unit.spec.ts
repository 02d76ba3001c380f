import { describe, expect, it } from 'vitest';
import { pauseAfterMaintaining } from './tableMaintenance';

describe('the pause of the table-maintenance loop', () => {
  it('is the 10 s interval while analyzing and vacuuming take at most a twentieth of the time', () => {
    expect(pauseAfterMaintaining(0)).toBe(10_000);
    expect(pauseAfterMaintaining(350)).toBe(10_000);
    expect(pauseAfterMaintaining(526)).toBe(10_000);
  });

  it('grows with a slow turn, so the loop never maintains more than 5% of the time', () => {
    expect(pauseAfterMaintaining(1_000)).toBe(19_000);
    expect(pauseAfterMaintaining(1_600)).toBe(30_400);
    for (const turnMs of [600, 1_600, 12_345]) {
      expect(turnMs / (turnMs + pauseAfterMaintaining(turnMs))).toBeLessThanOrEqual(0.05);
    }
  });
});
