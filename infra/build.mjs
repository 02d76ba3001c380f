#!/usr/bin/env node
// `npm run build`: dependencies, then turbo's `build` in every app: apps/<app>/dist/main.js for plain `node`
// (infra/build/bundleApp.mjs, ADR 0024). `npm start` and `npm test` do not need it: they run the sources.
import { ensureDependencies, log as logAs, pnpm } from './lib/workspace.mjs';

const log = (message) => logAs('build', message);
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };

if (!(await ensureDependencies())) process.exit(1);
const code = await pnpm(['exec', 'turbo', 'run', 'build', '--output-logs=errors-only', ...process.argv.slice(2)], {
  env,
});
if (code !== 0) log(`build failed (exit ${code})`);
process.exit(code);
