/** When a background job runs: on its own after each pass, at once when woken, never two passes at a time. */
export interface Schedule<T> {
  /** Runs a pass now, after the one in progress; resolves with its result. */
  runNow(): Promise<T>;
  /** Runs a pass at once, or right after the one in progress, rather than at the next interval. */
  wake(): void;
  /** No pass starts any more; resolves once the one in progress has ended. */
  stop(): Promise<void>;
}

export interface ScheduleOptions<T> {
  /** The wait before the first pass, and after a pass that failed. */
  intervalMs: number;
  pass(): Promise<T>;
  /** The wait after a pass that succeeded, from what it did. */
  nextDelayMs(result: T): number;
  onError(error: unknown): void;
}

/** Starts running `pass` on its schedule; the first pass comes after `intervalMs` unless woken sooner. */
export function startSchedule<T>(options: ScheduleOptions<T>): Schedule<T> {
  let running: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let inTimedPass = false;
  let wokenDuringPass = false;

  function enqueue(): Promise<T> {
    const pass = running.catch(() => undefined).then(options.pass);
    running = pass.catch(() => undefined);
    return pass;
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(timedPass, delayMs);
  }

  async function timedPass(): Promise<void> {
    inTimedPass = true;
    wokenDuringPass = false;
    let delayMs = options.intervalMs;
    try {
      delayMs = options.nextDelayMs(await enqueue());
    } catch (error) {
      options.onError(error);
    } finally {
      inTimedPass = false;
    }
    schedule(wokenDuringPass ? 0 : delayMs);
  }

  schedule(options.intervalMs);
  return {
    runNow: enqueue,
    wake() {
      wokenDuringPass = true;
      if (!inTimedPass) schedule(0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
