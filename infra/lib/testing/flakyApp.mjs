// A stand-in app for the supervisor's spec: counts its runs in a file, exits with code 1 on the runs listed
// (comma-separated, 1-based), otherwise says "ready" and serves until it is signalled.
import { appendFileSync, readFileSync } from 'node:fs';

const [runsFile, failingRuns = ''] = process.argv.slice(2);
appendFileSync(runsFile, '.');
const run = readFileSync(runsFile, 'utf8').length;
if (failingRuns.split(',').map(Number).includes(run)) process.exit(1);
process.stdout.write('ready\n');
setInterval(() => {}, 60_000);
