import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
const fixture = fileURLToPath(new URL('../test-fixtures/guardedProcess.ts', import.meta.url));

it('keeps a process running through an unhandled rejection and an uncaught exception, and counts both', async () => {
  // execFile rejects on a non-zero exit: without the guard, Node ends the process at the first of the two.
  const { stdout } = await run(tsx, [fixture]);
  expect(stdout).toContain('afternoon_unhandled_errors_total{kind="unhandled_rejection",service="guarded"} 1');
  expect(stdout).toContain('afternoon_unhandled_errors_total{kind="uncaught_exception",service="guarded"} 1');
});
