import { createLogger } from '../src/logger';
import { guardProcess } from '../src/processGuard';
import { serveUntilSignalled } from '../src/serveUntilSignalled';

// A process wired as each app's main.ts is, around a service whose start and stop each wait for the test to write a
// line on stdin, so a spec can signal it at any step; each step prints its name. `fail` makes the start throw.
const releases = () => new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
const step = async (name: string) => {
  const released = releases();
  process.stdout.write(`${name}: begun\n`);
  await released;
  process.stdout.write(`${name}: done\n`);
};

const logger = createLogger('signalled', 'info');
guardProcess(logger);
await serveUntilSignalled(logger, async () => {
  if (process.argv[2] === 'fail') throw new Error('the database is not there');
  await step('start');
  return { stop: () => step('stop') };
});
