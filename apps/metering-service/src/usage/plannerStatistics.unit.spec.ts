import { describe, expect, it } from 'vitest';
import { pauseAfterAnalyzing } from './plannerStatistics';

describe('the pause of the planner-statistics loop', () => {
  it('is the 10 s interval while analyzing takes at most a twentieth of the time', () => {
    expect(pauseAfterAnalyzing(0)).toBe(10_000);
    expect(pauseAfterAnalyzing(350)).toBe(10_000);
    expect(pauseAfterAnalyzing(526)).toBe(10_000);
  });

  it('grows with a slow analyze, so the loop never analyzes more than 5% of the time', () => {
    expect(pauseAfterAnalyzing(1_000)).toBe(19_000);
    expect(pauseAfterAnalyzing(1_600)).toBe(30_400);
    for (const turnMs of [600, 1_600, 12_345]) {
      expect(turnMs / (turnMs + pauseAfterAnalyzing(turnMs))).toBeLessThanOrEqual(0.05);
    }
  });
});
