import { describe, expect, it } from 'vitest';
import { fetchWaits, gatheredWaitMs } from './fetchWaits';

describe('fetch waits', () => {
  it('gathers records for a while before a fetch returns, for a consumer no request waits on', () => {
    expect(fetchWaits(true)).toEqual({ maxWaitTimeInMs: gatheredWaitMs, minBytes: 1024 * 1024 });
    expect(gatheredWaitMs).toBeLessThanOrEqual(250);
  });

  it('returns each record as soon as it is written, for any other consumer', () => {
    expect(fetchWaits(false)).toEqual({ maxWaitTimeInMs: 500 });
    expect(fetchWaits(false).minBytes).toBeUndefined();
  });
});
