// Keeping a set of app processes running: start them, restart one that exits with capped exponential backoff,
// stop them all. Plain Node with every effect injected (spawning, readiness, stopping, the clock), so `npm start`,
// the fault-injection run and a test with a manual clock share one restart policy.

/** 1 s doubling to 30 s; a run that stayed ready for a minute has proved itself, so the next exit starts over at 1 s. */
export const defaultBackoff = { initialMs: 1000, maxMs: 30_000, resetAfterMs: 60_000 };

const realClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (timer) => clearTimeout(timer),
};

/** The wait before restart number `attempt` (1, 2, …): initialMs doubled per earlier attempt, at most maxMs. */
export function restartDelayMs(attempt, { initialMs, maxMs }) {
  return Math.min(initialMs * 2 ** (attempt - 1), maxMs);
}

/**
 * A supervisor for apps ({name, …}). `spawn(app, env(app))` starts one run and returns `{pid, exited}` (`exited`
 * resolves with the exit status); `waitReady(app, run)` resolves once the run serves and rejects if it exits first;
 * `stop(app, run)` ends a run and resolves once it has exited. `report(event)` hears, each with `app`:
 * `ready` {attempt, ms?}, `exited` {status, attempt, delayMs} (a restart is scheduled), `restarted` {attempt, pid},
 * `not-ready` {attempt, error} and `restart-cancelled` (by `stop`).
 *
 * An app that exits before it was ever ready fails `launch` and is not restarted: a misconfiguration stops the
 * start instead of looping. Once ready, an exit nobody asked for schedules a restart after `restartDelayMs`;
 * `stop` cancels pending restarts and stops the launched groups, the last launched first.
 */
export function createSupervisor({
  spawn,
  env,
  waitReady,
  stop: stopRun,
  backoff = defaultBackoff,
  clock = realClock,
  report = () => {},
}) {
  const entries = new Map();
  const groups = [];
  const exitOf = new WeakMap();
  let stopping;

  function start(entry) {
    const run = spawn(entry.app, env(entry.app));
    entry.run = run;
    entry.readyAt = undefined;
    run.exited.then((status) => {
      exitOf.set(run, status);
      exited(entry, run, status);
    });
    return run;
  }

  function exited(entry, run, status) {
    if (stopping || entry.run !== run) return;
    if (entry.everReady === false) return;
    const stayedReady = entry.readyAt !== undefined && clock.now() - entry.readyAt >= backoff.resetAfterMs;
    entry.attempt = stayedReady ? 1 : entry.attempt + 1;
    const delayMs = restartDelayMs(entry.attempt, backoff);
    report({ type: 'exited', app: entry.app, status, attempt: entry.attempt, delayMs });
    entry.timer = clock.setTimeout(() => restart(entry), delayMs);
  }

  function restart(entry) {
    entry.timer = undefined;
    if (stopping) return;
    const run = start(entry);
    report({ type: 'restarted', app: entry.app, attempt: entry.attempt, pid: run.pid });
    waitReady(entry.app, run).then(
      () => {
        if (entry.run !== run) return;
        entry.readyAt = clock.now();
        report({ type: 'ready', app: entry.app, attempt: entry.attempt });
      },
      (error) => {
        if (entry.run === run && !exitOf.has(run) && !stopping)
          report({ type: 'not-ready', app: entry.app, attempt: entry.attempt, error });
      },
    );
  }

  return {
    /** Starts the apps together; resolves once each is ready, rejects when one exits or times out before that. */
    async launch(apps) {
      if (stopping) throw new Error('the supervisor is stopping');
      const group = apps.map((app) => {
        const entry = { app, run: undefined, attempt: 0, everReady: false, readyAt: undefined, timer: undefined };
        entries.set(app.name, entry);
        start(entry);
        return entry;
      });
      groups.push(group);
      await Promise.all(
        group.map(async (entry) => {
          const startedAt = clock.now();
          await waitReady(entry.app, entry.run);
          entry.everReady = true;
          entry.readyAt = clock.now();
          report({ type: 'ready', app: entry.app, attempt: 0, ms: entry.readyAt - startedAt });
          // A run that died between answering ready and this line gets its restart now.
          if (exitOf.has(entry.run)) exited(entry, entry.run, exitOf.get(entry.run));
        }),
      );
    },

    /** Cancels pending restarts and stops every run, the last launched group first; resolves once all have exited. */
    stop() {
      stopping ??= (async () => {
        for (const entry of entries.values()) {
          if (entry.timer === undefined) continue;
          clock.clearTimeout(entry.timer);
          entry.timer = undefined;
          report({ type: 'restart-cancelled', app: entry.app });
        }
        for (const group of [...groups].reverse()) {
          await Promise.all(group.map((entry) => (exitOf.has(entry.run) ? undefined : stopRun(entry.app, entry.run))));
        }
      })();
      return stopping;
    },

    /** The current run of each app (the one running, or the last one while a restart is pending). */
    runs() {
      return [...entries.values()].map((entry) => entry.run);
    },

    /** The current run of the named app, for a caller that injects faults into it. */
    runOf(name) {
      return entries.get(name)?.run;
    },
  };
}
