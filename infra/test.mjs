#!/usr/bin/env node
// `npm test [-- <vitest args>]`: dependencies, typecheck and lint (stops at the first error), then `vitest run <args>`.
// Kafka and Postgres come from vitest's globalSetup (packages/testkit), not from here; Chromium, for the hosted invoice
// browser test, is installed here when missing.
import { ensureChromium } from './lib/chromium.mjs';
import { ensureDependencies, log as logAs, pnpm } from './lib/workspace.mjs';

const log = (message) => logAs('test', message);
const vitestArgs = process.argv.slice(2);
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };

if (!(await ensureDependencies())) process.exit(1);

if (env.SKIP_TYPECHECK === '1') {
  log('SKIP_TYPECHECK=1: not typechecking or linting');
} else {
  const typecheck = await pnpm(['exec', 'turbo', 'run', 'typecheck', '--output-logs=errors-only'], { env });
  if (typecheck !== 0) {
    log(`typecheck failed (exit ${typecheck}); not running the tests`);
    process.exit(typecheck);
  }
  // Lint and format as `npm run lint`; an import cycle, or a file or function far past STYLE.md's sizes, is an error
  // there (biome.jsonc, ADR 0014).
  const lint = await pnpm(['exec', 'biome', 'check', '.'], { env });
  if (lint !== 0) {
    log(
      `lint failed (exit ${lint}): \`npm run lint\` names the problems (\`npm run format\` fixes formatting); not running the tests`,
    );
    process.exit(lint);
  }
}

// Without Chromium the browser test fails with its own message; every other test still runs.
await ensureChromium(env);

process.exit(await pnpm(['exec', 'vitest', 'run', ...vitestArgs], { env }));
