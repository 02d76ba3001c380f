#!/usr/bin/env node
// `npm run faults [-- --seed N --minutes M --kill-rounds K]`: the fault-injection run (packages/faults). It starts
// its own Postgres (initdb) and Kafka broker (infra/kafka/kafka.sh) on free ports, so a running `npm start` or test
// run is not disturbed; Java, Maven and the PostgreSQL server binaries are all it needs.
import { join } from 'node:path';
import { binPath, ensureDependencies, ROOT, run } from './lib/workspace.mjs';

if (!(await ensureDependencies())) process.exit(1);
process.exit(
  await run(binPath('tsx'), [join(ROOT, 'packages/faults/src/main.ts'), ...process.argv.slice(2)], {
    stdio: 'inherit',
    relaySignals: true,
  }),
);
