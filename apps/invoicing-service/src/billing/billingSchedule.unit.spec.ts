import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startSchedule } from './billingSchedule';

/** A pass that stays in progress until the test ends it, counting how many started and how many ran at once. */
function controlledPasses() {
  const ends: ((value: string) => void)[] = [];
  const state = { started: 0, running: 0, mostAtOnce: 0 };
  const pass = () => {
    state.started += 1;
    state.running += 1;
    state.mostAtOnce = Math.max(state.mostAtOnce, state.running);
    return new Promise<string>((resolve) => {
      ends.push((value) => {
        state.running -= 1;
        resolve(value);
      });
    });
  };
  const endPass = async (value = 'done') => {
    ends.shift()?.(value);
    await vi.advanceTimersByTimeAsync(0);
  };
  return { pass, endPass, state };
}

describe('the billing schedule', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs the first pass after the interval, and each next one after the wait its pass asks for', async () => {
    const { pass, endPass, state } = controlledPasses();
    const schedule = startSchedule({ intervalMs: 1_000, pass, nextDelayMs: () => 50, onError: () => undefined });
    await vi.advanceTimersByTimeAsync(999);
    expect(state.started).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(state.started).toBe(1);
    await endPass();
    await vi.advanceTimersByTimeAsync(49);
    expect(state.started).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(state.started).toBe(2);
    await endPass();
    await schedule.stop();
  });

  it('runs a pass at once when woken, and another right after it when woken during it', async () => {
    const { pass, endPass, state } = controlledPasses();
    const schedule = startSchedule({ intervalMs: 60_000, pass, nextDelayMs: () => 60_000, onError: () => undefined });
    schedule.wake();
    await vi.advanceTimersByTimeAsync(0);
    expect(state.started).toBe(1);
    schedule.wake();
    await vi.advanceTimersByTimeAsync(0);
    expect(state.started).toBe(1);
    await endPass();
    expect(state.started).toBe(2);
    await endPass();
    await vi.advanceTimersByTimeAsync(59_999);
    expect(state.started).toBe(2);
    await schedule.stop();
  });

  it('never runs two passes at once: a pass asked for now waits for the one in progress', async () => {
    const { pass, endPass, state } = controlledPasses();
    const schedule = startSchedule({ intervalMs: 10, pass, nextDelayMs: () => 60_000, onError: () => undefined });
    await vi.advanceTimersByTimeAsync(10);
    const asked = schedule.runNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(state.started).toBe(1);
    await endPass('timed');
    expect(state.started).toBe(2);
    await endPass('asked');
    expect(await asked).toBe('asked');
    expect(state.mostAtOnce).toBe(1);
    await schedule.stop();
  });

  it('reports a failed pass and runs the next after the interval', async () => {
    const errors: unknown[] = [];
    let passes = 0;
    const schedule = startSchedule({
      intervalMs: 100,
      pass: async () => {
        passes += 1;
        throw new Error(`pass ${passes} failed`);
      },
      nextDelayMs: () => 0,
      onError: (error) => errors.push(error),
    });
    await vi.advanceTimersByTimeAsync(100);
    expect(errors).toEqual([new Error('pass 1 failed')]);
    await vi.advanceTimersByTimeAsync(99);
    expect(passes).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(passes).toBe(2);
    await expect(schedule.runNow()).rejects.toThrow('pass 3 failed');
    await schedule.stop();
  });

  it('waits on stop for the pass in progress, and starts none after it', async () => {
    const { pass, endPass, state } = controlledPasses();
    const schedule = startSchedule({ intervalMs: 10, pass, nextDelayMs: () => 0, onError: () => undefined });
    await vi.advanceTimersByTimeAsync(10);
    let stopped = false;
    const stopping = schedule.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    await endPass();
    await stopping;
    schedule.wake();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(state.started).toBe(1);
  });
});
