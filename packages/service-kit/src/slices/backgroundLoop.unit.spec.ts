import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger';
import { type LoopTimers, startBackgroundLoop } from './backgroundLoop';

/** Timers the test fires by hand: each pending pause, with the length it asked for. */
function manualTimers() {
  const pending = new Map<number, { ms: number; fire: () => void }>();
  let next = 0;
  const timers: LoopTimers = {
    setTimeout(callback, ms) {
      next += 1;
      pending.set(next, { ms, fire: callback });
      return next;
    },
    clearTimeout: (handle) => pending.delete(handle as number),
  };
  return {
    timers,
    pauses: () => [...pending.values()].map(({ ms }) => ms),
    elapse() {
      const [first] = [...pending.values()];
      if (!first) throw new Error('no pause to elapse');
      first.fire();
    },
  };
}

/** Resolves once `condition` holds, letting the loop's promises run in between (no timers involved). */
async function settled(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 100 && !condition(); turn++) await new Promise<void>((resolve) => setImmediate(resolve));
  expect(condition()).toBe(true);
}

const logger = createLogger('loop-test', 'silent');

describe('background loop', () => {
  it('turns at once, then after each interval, until stopped', async () => {
    const clock = manualTimers();
    let turns = 0;
    const loop = startBackgroundLoop({
      name: 'test loop',
      logger,
      intervalMs: 1_000,
      timers: clock.timers,
      turn: async () => {
        turns += 1;
      },
    });
    await settled(() => turns === 1 && clock.pauses().length === 1);
    expect(clock.pauses()).toEqual([1_000]);
    clock.elapse();
    await settled(() => turns === 2 && clock.pauses().length === 1);
    await loop.stop();
    expect(clock.pauses()).toEqual([]);
    expect(turns).toBe(2);
  });

  it('ends its pause when woken, and skips the next pause when woken during a turn', async () => {
    const clock = manualTimers();
    let turns = 0;
    let releaseTurn: (() => void) | undefined;
    const loop = startBackgroundLoop({
      name: 'test loop',
      logger,
      intervalMs: 60_000,
      timers: clock.timers,
      turn: async () => {
        turns += 1;
        if (turns === 2) await new Promise<void>((release) => (releaseTurn = release));
      },
    });
    await settled(() => turns === 1 && clock.pauses().length === 1);
    loop.wake();
    await settled(() => turns === 2);
    loop.wake();
    releaseTurn?.();
    await settled(() => turns === 3 && clock.pauses().length === 1);
    await loop.stop();
  });

  it('retries a failed turn after its backoff, having let it clean up, and a wake-up does not skip the backoff', async () => {
    const clock = manualTimers();
    const cleanups: number[] = [];
    let turns = 0;
    const loop = startBackgroundLoop({
      name: 'test loop',
      logger,
      intervalMs: 1_000,
      timers: clock.timers,
      retryDelayMs: (failures) => 100 * failures,
      afterFailure: async () => {
        cleanups.push(turns);
      },
      turn: async () => {
        turns += 1;
        if (turns <= 2) {
          loop.wake();
          throw new Error(`turn ${turns} failed`);
        }
      },
    });
    await settled(() => clock.pauses().length === 1);
    expect(clock.pauses()).toEqual([100]);
    clock.elapse();
    await settled(() => turns === 2 && clock.pauses().length === 1);
    expect(clock.pauses()).toEqual([200]);
    clock.elapse();
    await settled(() => turns === 3 && clock.pauses().length === 1);
    expect(clock.pauses()).toEqual([1_000]);
    expect(cleanups).toEqual([1, 2]);
    await loop.stop();
  });

  it('tells a long turn it is stopping and waits for it to end', async () => {
    const clock = manualTimers();
    const steps: number[] = [];
    let stopRequested: (() => void) | undefined;
    const requested = new Promise<void>((resolve) => (stopRequested = resolve));
    const loop = startBackgroundLoop({
      name: 'test loop',
      logger,
      intervalMs: 1_000,
      timers: clock.timers,
      turn: async (stopping) => {
        for (let step = 0; step < 1_000 && !stopping(); step++) {
          steps.push(step);
          if (step === 2) await requested;
        }
      },
    });
    await settled(() => steps.length === 3);
    const stopped = loop.stop();
    stopRequested?.();
    await stopped;
    expect(steps).toEqual([0, 1, 2]);
    expect(clock.pauses()).toEqual([]);
    loop.wake();
    await settled(() => true);
    expect(steps).toEqual([0, 1, 2]);
  });

  it('pauses before its first turn when asked, and after each turn for as long as its result asks', async () => {
    const clock = manualTimers();
    let turns = 0;
    const loop = startBackgroundLoop({
      name: 'test loop',
      logger,
      intervalMs: 1_000,
      firstPauseMs: 1_000,
      timers: clock.timers,
      turn: async () => {
        turns += 1;
        return turns === 1 ? 'soon' : 'later';
      },
      pauseAfter: (result) => (result === 'soon' ? 50 : 1_000),
    });
    await settled(() => clock.pauses().length === 1);
    expect(clock.pauses()).toEqual([1_000]);
    expect(turns).toBe(0);
    clock.elapse();
    await settled(() => turns === 1 && clock.pauses().length === 1);
    expect(clock.pauses()).toEqual([50]);
    clock.elapse();
    await settled(() => turns === 2 && clock.pauses().length === 1);
    expect(clock.pauses()).toEqual([1_000]);
    await loop.stop();
  });

  it('skips its first pause when woken before it, and pauses in full after a turn that followed a wake-up', async () => {
    const clock = manualTimers();
    let turns = 0;
    let releaseTurn: (() => void) | undefined;
    const loop = startBackgroundLoop({
      name: 'test loop',
      logger,
      intervalMs: 60_000,
      firstPauseMs: 60_000,
      timers: clock.timers,
      turn: async () => {
        turns += 1;
        if (turns === 1) await new Promise<void>((release) => (releaseTurn = release));
      },
    });
    loop.wake();
    await settled(() => turns === 1);
    expect(clock.pauses()).toEqual([]);
    loop.wake();
    await settled(() => true);
    expect(turns).toBe(1);
    releaseTurn?.();
    await settled(() => turns === 2 && clock.pauses().length === 1);
    expect(clock.pauses()).toEqual([60_000]);
    await loop.stop();
  });

  it('runs a turn asked for now after the running one, never two at once, and answers with its result', async () => {
    const clock = manualTimers();
    const ends: ((result: string) => void)[] = [];
    const state = { started: 0, running: 0, mostAtOnce: 0 };
    const loop = startBackgroundLoop({
      name: 'test loop',
      logger,
      intervalMs: 60_000,
      timers: clock.timers,
      turn: () => {
        state.started += 1;
        state.running += 1;
        state.mostAtOnce = Math.max(state.mostAtOnce, state.running);
        return new Promise<string>((resolve) =>
          ends.push((result) => {
            state.running -= 1;
            resolve(result);
          }),
        );
      },
    });
    await settled(() => state.started === 1);
    const asked = loop.turnNow();
    await settled(() => true);
    expect(state.started).toBe(1);
    ends.shift()?.('timed');
    await settled(() => state.started === 2);
    ends.shift()?.('asked');
    expect(await asked).toBe('asked');
    expect(state.mostAtOnce).toBe(1);
    await loop.stop();
  });

  it('logs a failed turn and by default retries after the interval; a turn asked for now fails to its caller', async () => {
    const clock = manualTimers();
    const logged: string[] = [];
    let turns = 0;
    const loop = startBackgroundLoop({
      name: 'test loop',
      logger: createLogger('loop-test', 'error', { write: (line: string) => logged.push(line) }),
      intervalMs: 100,
      timers: clock.timers,
      turn: async () => {
        turns += 1;
        throw new Error(`turn ${turns} failed`);
      },
    });
    await settled(() => turns === 1 && clock.pauses().length === 1);
    expect(clock.pauses()).toEqual([100]);
    expect(logged.map((line) => JSON.parse(line).err.message)).toEqual(['turn 1 failed']);
    clock.elapse();
    await settled(() => turns === 2 && clock.pauses().length === 1);
    await expect(loop.turnNow()).rejects.toThrow('turn 3 failed');
    expect(logged).toHaveLength(2);
    await loop.stop();
  });
});
