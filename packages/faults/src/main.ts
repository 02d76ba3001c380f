import { parseArgs } from 'node:util';
import { runFaults } from './faultRun';
import { formatReport } from './report';

// `npm run faults [-- --seed N --minutes M --kill-rounds K]`: exits 1 on any loss, double or broken invariant.
const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    minutes: { type: 'string', default: '4' },
    'kill-rounds': { type: 'string', default: '2' },
  },
});
const seed = Number(values.seed);
const loadMs = Number(values.minutes) * 60_000;
const killRounds = Number(values['kill-rounds']);
if (!Number.isInteger(seed) || !(loadMs > 0) || !Number.isInteger(killRounds) || killRounds < 1) {
  process.stderr.write('usage: npm run faults -- [--seed N] [--minutes M] [--kill-rounds K]\n');
  process.exit(2);
}
const startedAt = Date.now();
const log = (line: string) =>
  process.stdout.write(`[faults ${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
log(
  `seed ${seed}, ${values.minutes} minutes of load, each app killed ${killRounds} times (repeat with --seed ${seed})`,
);
const result = await runFaults({ seed, loadMs, killRounds, log });
process.stdout.write(`\n${formatReport(result, seed)}\n`);
process.exit(result.passed ? 0 : 1);
