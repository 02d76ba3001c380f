import type { Logger } from '../logger';

/** Something running that the service stops on its way down. */
export interface Stoppable {
  stop(): Promise<void>;
}

/** The timer functions a loop pauses with; tests hand in their own to step through time. */
export interface LoopTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface BackgroundLoopOptions<T = unknown> {
  /** Names the loop in its logs. */
  name: string;
  logger: Logger;
  /** The pause after each turn. */
  intervalMs: number;
  /** A pause before the first turn, which a wake-up ends; none by default. */
  firstPauseMs?: number;
  /** One turn of work; a long one asks `stopping` between steps, to end early once the service stops. */
  turn(stopping: () => boolean): Promise<T>;
  /** The pause after a turn that returned `result`; `intervalMs` by default. */
  pauseAfter?(result: T): number;
  /** The pause after the `failures`-th failed turn in a row; `intervalMs` by default. */
  retryDelayMs?(failures: number): number;
  /** Runs after a turn failed (and was logged), before the pause; e.g. gives up a lock the turn held. */
  afterFailure?(): Promise<void>;
  timers?: LoopTimers;
}

export interface BackgroundLoop<T = unknown> extends Stoppable {
  /** Starts the next turn now, or right after the running one, rather than after the pause. */
  wake(): void;
  /** Runs a turn now, or right after the running one, besides the loop's own; resolves with what it returned. */
  turnNow(): Promise<T>;
}

const systemTimers: LoopTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Runs `turn` now (or after `firstPauseMs`) and again after each pause until stopped, one turn at a time: a failed
 * turn is logged and retried after `retryDelayMs`, a wake-up ends the pause at once (or, during a turn, skips the
 * next one), and `stop` ends the pause and waits for the running turn.
 */
export function startBackgroundLoop<T>(options: BackgroundLoopOptions<T>): BackgroundLoop<T> {
  const timers = options.timers ?? systemTimers;
  let stopped = false;
  let woken = false;
  let endPause: (() => void) | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const stopping = () => stopped;

  const takeTurn = (): Promise<T> => {
    const turn = running.then(() => options.turn(stopping));
    running = turn.catch(() => undefined);
    return turn;
  };

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const handle = timers.setTimeout(done, ms);
      function done() {
        timers.clearTimeout(handle);
        endPause = undefined;
        resolve();
      }
      endPause = done;
    });

  const loop = (async () => {
    // The first turn starts once the caller holds the loop, so the turn (or what it starts) may wake it.
    await Promise.resolve();
    if (options.firstPauseMs !== undefined && !stopped && !woken) await pause(options.firstPauseMs);
    let failures = 0;
    while (!stopped) {
      woken = false;
      let next: number;
      try {
        const result = await takeTurn();
        failures = 0;
        next = options.pauseAfter?.(result) ?? options.intervalMs;
      } catch (error) {
        if (stopped) break;
        failures += 1;
        options.logger.error({ err: error, loop: options.name }, `${options.name} failed; retrying`);
        await options
          .afterFailure?.()
          .catch((cleanup: unknown) =>
            options.logger.error({ err: cleanup }, `${options.name} could not clean up after a failure`),
          );
        next = options.retryDelayMs?.(failures) ?? options.intervalMs;
      }
      // A wake-up during a failed turn does not skip the backoff; one during the pause still ends it.
      if (!stopped && !(woken && failures === 0)) await pause(next);
    }
  })();

  return {
    wake() {
      woken = true;
      endPause?.();
    },
    turnNow: takeTurn,
    async stop() {
      stopped = true;
      endPause?.();
      await loop;
      await running;
    },
  };
}
