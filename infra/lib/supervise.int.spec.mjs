import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { createSupervisor } from './supervise.mjs';

const flakyApp = join(import.meta.dirname, 'testing', 'flakyApp.mjs');
const backoff = { initialMs: 1000, maxMs: 4000, resetAfterMs: 60_000 };

/** Timers that fire only when the test advances the clock: backoff is checked without waiting for it. */
function manualClock() {
  let now = 0;
  const timers = new Set();
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const timer = { at: now + ms, ms, callback };
      timers.add(timer);
      return timer;
    },
    clearTimeout: (timer) => timers.delete(timer),
    pendingDelays: () => [...timers].map((timer) => timer.ms),
    advance(ms) {
      now += ms;
      for (const timer of [...timers].filter(({ at }) => at <= now)) {
        timers.delete(timer);
        timer.callback();
      }
    },
  };
}

/** The supervisor's reports, and `take(type, name)`: the next one of that type for that app, waited for if need be. */
function reports() {
  const events = [];
  const listeners = new Set();
  const cursors = new Map();
  return {
    events,
    report(event) {
      events.push(event);
      for (const listener of [...listeners]) listener();
    },
    take(type, name) {
      const key = `${type} ${name}`;
      return new Promise((resolve) => {
        const look = () => {
          const index = events.findIndex(
            (event, at) => at >= (cursors.get(key) ?? 0) && event.type === type && event.app.name === name,
          );
          if (index < 0) return;
          listeners.delete(look);
          cursors.set(key, index + 1);
          resolve(events[index]);
        };
        listeners.add(look);
        look();
      });
    },
  };
}

const spawned = [];
const folders = [];

/** Runs flakyApp.mjs for an app ({name, failingRuns}); ready once it prints "ready". */
function spawnFlakyApp(app, env) {
  const child = spawn(process.execPath, [flakyApp, app.runsFile, app.failingRuns ?? ''], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const ready = new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => line === 'ready' && resolve());
    exited.then((status) => reject(new Error(`${app.name} exited (${JSON.stringify(status)}) before it was ready`)));
  });
  const run = { pid: child.pid, child, exited, ready };
  spawned.push(run);
  return run;
}

function supervised(clock, log) {
  return createSupervisor({
    spawn: spawnFlakyApp,
    env: (app) => ({ ...process.env, APP_NAME: app.name }),
    waitReady: (_app, run) => run.ready,
    stop: (_app, run) => {
      run.child.kill('SIGTERM');
      return run.exited;
    },
    backoff,
    clock,
    report: log.report,
  });
}

function app(name, failingRuns) {
  const folder = mkdtempSync(join(tmpdir(), 'supervise-'));
  folders.push(folder);
  return { name, runsFile: join(folder, 'runs'), failingRuns };
}

const runsOf = (app) => readFileSync(app.runsFile, 'utf8').length;

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

afterAll(() => {
  for (const run of spawned) run.child.kill('SIGKILL');
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describe('the supervisor of npm start', () => {
  it('restarts an app that exits with capped exponential backoff, starting over once it stayed ready, leaving the others alone', async () => {
    const clock = manualClock();
    const log = reports();
    const supervisor = supervised(clock, log);
    // Killed once, then runs 2–5 fail at once, then run 6 serves.
    const metering = app('metering-service', '2,3,4,5');
    const invoicing = app('invoicing-service');
    await supervisor.launch([metering, invoicing]);
    expect(await log.take('ready', 'metering-service')).toMatchObject({ attempt: 0 });
    const invoicingPid = supervisor.runOf('invoicing-service').pid;

    process.kill(supervisor.runOf('metering-service').pid, 'SIGKILL');
    const delays = [];
    for (let restart = 1; restart <= 5; restart += 1) {
      const exit = await log.take('exited', 'metering-service');
      expect(exit.status).toEqual(restart === 1 ? { code: null, signal: 'SIGKILL' } : { code: 1, signal: null });
      expect(exit.attempt).toBe(restart);
      expect(clock.pendingDelays()).toEqual([exit.delayMs]);
      delays.push(exit.delayMs);
      clock.advance(exit.delayMs - 1);
      expect(runsOf(metering)).toBe(restart);
      clock.advance(1);
      expect((await log.take('restarted', 'metering-service')).attempt).toBe(restart);
    }
    expect(delays).toEqual([1000, 2000, 4000, 4000, 4000]);
    expect(await log.take('ready', 'metering-service')).toMatchObject({ attempt: 5 });
    expect(runsOf(metering)).toBe(6);

    // Ready for resetAfterMs: the next exit is restart 1 again, after the initial delay.
    clock.advance(backoff.resetAfterMs);
    process.kill(supervisor.runOf('metering-service').pid, 'SIGKILL');
    expect(await log.take('exited', 'metering-service')).toMatchObject({ attempt: 1, delayMs: 1000 });

    expect(supervisor.runOf('invoicing-service').pid).toBe(invoicingPid);
    expect(alive(invoicingPid)).toBe(true);
    expect(runsOf(invoicing)).toBe(1);
    expect(log.events.filter((event) => event.app.name === 'invoicing-service').map(({ type }) => type)).toEqual([
      'ready',
    ]);
    await supervisor.stop();
  });

  it('stops every run and cancels a pending restart', async () => {
    const clock = manualClock();
    const log = reports();
    const supervisor = supervised(clock, log);
    const customers = app('customer-service');
    const metering = app('metering-service');
    const gateway = app('gateway');
    await supervisor.launch([customers, metering]);
    await supervisor.launch([gateway]);
    const running = [supervisor.runOf('customer-service'), supervisor.runOf('gateway')];

    process.kill(supervisor.runOf('metering-service').pid, 'SIGKILL');
    await log.take('exited', 'metering-service');
    expect(clock.pendingDelays()).toEqual([1000]);

    await supervisor.stop();
    expect(clock.pendingDelays()).toEqual([]);
    expect(await log.take('restart-cancelled', 'metering-service')).toBeDefined();
    for (const run of running) expect(await run.exited).toEqual({ code: null, signal: 'SIGTERM' });
    clock.advance(backoff.maxMs);
    expect(runsOf(metering)).toBe(1);
    expect(log.events.map(({ type }) => type)).not.toContain('restarted');
  });

  it('fails the launch of an app that exits before it was ever ready, and does not restart it', async () => {
    const clock = manualClock();
    const log = reports();
    const supervisor = supervised(clock, log);
    const misconfigured = app('customer-service', '1');

    await expect(supervisor.launch([misconfigured])).rejects.toThrow(/customer-service exited .* before it was ready/);
    expect(clock.pendingDelays()).toEqual([]);
    expect(log.events).toEqual([]);
    await supervisor.stop();
    expect(runsOf(misconfigured)).toBe(1);
  });
});
