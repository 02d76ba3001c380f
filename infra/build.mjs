#!/usr/bin/env node
// `npm run build`: dependencies, then turbo's `build` in every app: apps/<app>/dist/main.js for plain `node`
// (infra/build/bundleApp.mjs, ADR 0024). `npm start` and `npm test` do not need it: they run the sources.
import { buildApps } from './lib/build.mjs';
import { ensureDependencies, log as logAs } from './lib/workspace.mjs';

const log = (message) => logAs('build', message);

if (!(await ensureDependencies())) process.exit(1);
const code = await buildApps(process.argv.slice(2));
if (code !== 0) log(`build failed (exit ${code})`);
process.exit(code);
