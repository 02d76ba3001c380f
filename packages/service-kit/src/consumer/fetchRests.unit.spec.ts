import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FetchRests, restAfterFetchMs, wakeGroup } from './fetchRests';

describe('the rests of a consumer that gathers its records', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const settled = (promise: Promise<void>) => {
    let done = false;
    void promise.then(() => {
      done = true;
    });
    return () => done;
  };

  it('rests a quarter second at most, and only after a fetch that reached the end of its partitions', async () => {
    expect(restAfterFetchMs).toBeLessThanOrEqual(250);
    const rests = new FetchRests('rests-a', 250);
    const rest = settled(rests.after(true));
    await vi.advanceTimersByTimeAsync(249);
    expect(rest()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(rest()).toBe(true);
    const behind = settled(rests.after(false));
    await vi.advanceTimersByTimeAsync(0);
    expect(behind()).toBe(true);
    rests.stop();
  });

  it('never rests with no rest asked for', async () => {
    const never = new FetchRests('rests-b', 0);
    const rest = settled(never.after(true));
    await vi.advanceTimersByTimeAsync(0);
    expect(rest()).toBe(true);
  });

  it('is woken through its group: the rest under way ends, or else the next one is skipped, once', async () => {
    const rests = new FetchRests('rests-c', 250);
    const resting = settled(rests.after(true));
    wakeGroup('rests-c');
    await vi.advanceTimersByTimeAsync(0);
    expect(resting()).toBe(true);

    wakeGroup('rests-c');
    const skipped = settled(rests.after(true));
    await vi.advanceTimersByTimeAsync(0);
    expect(skipped()).toBe(true);
    const next = settled(rests.after(true));
    await vi.advanceTimersByTimeAsync(0);
    expect(next()).toBe(false);

    wakeGroup('another group');
    await vi.advanceTimersByTimeAsync(0);
    expect(next()).toBe(false);
    rests.stop();
    await vi.advanceTimersByTimeAsync(0);
    expect(next()).toBe(true);
  });

  it('ends its rest when it stops, and rests no more', async () => {
    const rests = new FetchRests('rests-d', 250);
    const resting = settled(rests.after(true));
    rests.stop();
    await vi.advanceTimersByTimeAsync(0);
    expect(resting()).toBe(true);
    const afterStop = settled(rests.after(true));
    await vi.advanceTimersByTimeAsync(0);
    expect(afterStop()).toBe(true);
  });
});
