import { fileURLToPath } from 'node:url';
import { eventually, type NodeProcess, spawnNode } from '@afternoon/testkit';
import { afterEach, expect, it } from 'vitest';

const kitDir = fileURLToPath(new URL('..', import.meta.url));
const fixture = fileURLToPath(new URL('../test-fixtures/signalledService.ts', import.meta.url));
const running: NodeProcess[] = [];

afterEach(async () => {
  for (const service of running.splice(0)) {
    if (service.isRunning()) service.child.kill('SIGKILL');
    await service.exited;
  }
});

/** The fixture service as its own process; `fail` makes its start throw. */
function startFixture(scenario?: 'fail'): NodeProcess {
  const service = spawnNode(['--import', 'tsx', fixture, ...(scenario ? [scenario] : [])], {
    cwd: kitDir,
    stdin: 'pipe',
  });
  running.push(service);
  return service;
}

/** Waits (tsx compiling on a loaded machine included) until the process has written `text`. */
const printed = (service: NodeProcess, text: string) =>
  eventually(() => expect(service.output()).toContain(text), { timeout: 30_000, label: text });
const logged = (service: NodeProcess, message: string) => printed(service, `"msg":"${message}"`);
const release = (service: NodeProcess) => service.child.stdin?.write('go\n');
/** The fixture's steps, in the order they printed, without the log lines. */
const steps = (service: NodeProcess) =>
  service
    .output()
    .split('\n')
    .filter((line) => line.endsWith(': begun') || line.endsWith(': done'));

it('stops a service signalled while it starts once the start is done, and exits 0', async () => {
  const service = startFixture();
  await printed(service, 'start: begun');
  service.child.kill('SIGTERM');
  // Handled, not fatal: the process logs the signal while its start is still waiting.
  await logged(service, 'stopping once started');
  release(service);
  await printed(service, 'stop: begun');
  release(service);
  expect(await service.exited, service.output()).toEqual({ code: 0, signal: null });
  expect(steps(service)).toEqual(['start: begun', 'start: done', 'stop: begun', 'stop: done']);
});

it('stops a started service on SIGTERM and exits 0', async () => {
  const service = startFixture();
  await printed(service, 'start: begun');
  release(service);
  await printed(service, 'start: done');
  service.child.kill('SIGTERM');
  await printed(service, 'stop: begun');
  release(service);
  expect(await service.exited, service.output()).toEqual({ code: 0, signal: null });
  expect(steps(service)).toEqual(['start: begun', 'start: done', 'stop: begun', 'stop: done']);
});

it('starts no second stop, and does not die, on a second signal while stopping', async () => {
  const service = startFixture();
  await printed(service, 'start: begun');
  release(service);
  await printed(service, 'start: done');
  // Ctrl-C twice: the second must neither stop again nor, unhandled, end the process by the signal.
  service.child.kill('SIGINT');
  await printed(service, 'stop: begun');
  service.child.kill('SIGINT');
  await logged(service, 'already stopping');
  release(service);
  expect(await service.exited, service.output()).toEqual({ code: 0, signal: null });
  expect(steps(service)).toEqual(['start: begun', 'start: done', 'stop: begun', 'stop: done']);
});

it('exits non-zero when the start throws, though the process guard keeps a process through other errors', async () => {
  const service = startFixture('fail');
  expect(await service.exited, service.output()).toEqual({ code: 1, signal: null });
  expect(service.output()).toContain('the database is not there');
  expect(service.output()).toContain('"msg":"failed to start"');
});
