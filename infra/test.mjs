#!/usr/bin/env node
// `npm test [-- <vitest args>]`: dependencies, typecheck (stops at the first error), then `vitest run <args>`.
// Kafka and Postgres come from vitest's globalSetup (packages/testkit), not from here; Chromium, for the hosted invoice
// browser test, is installed here when missing.
import { ensureChromium } from './lib/chromium.mjs';
import { ensureDependencies, log as logAs, pnpm } from './lib/workspace.mjs';

const log = (message) => logAs('test', message);
const vitestArgs = process.argv.slice(2);
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };

if (!(await ensureDependencies())) process.exit(1);

if (env.SKIP_TYPECHECK === '1') {
  log('SKIP_TYPECHECK=1: not typechecking');
} else {
  const code = await pnpm(['exec', 'turbo', 'run', 'typecheck', '--output-logs=errors-only'], { env });
  if (code !== 0) {
    log(`typecheck failed (exit ${code}); not running the tests`);
    process.exit(code);
  }
}

// Without Chromium the browser test fails with its own message; every other test still runs.
await ensureChromium(env);

process.exit(await pnpm(['exec', 'vitest', 'run', ...vitestArgs], { env }));
