#!/usr/bin/env node
// `npm run build` runs this in each app folder (turbo `build`): bundles src/main.ts (and src/rebuild.ts when the app
// has one) into dist/*.js for plain `node`. Workspace packages are bundled in (they export TypeScript sources);
// the app's declared npm dependencies stay external and are loaded from node_modules at runtime (ADR 0024).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { bundlePlugin } from './bundlePlugin.mjs';

// esbuild is installed as tsx's own dependency; it is resolved through tsx rather than declared a second time.
const esbuild = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'))('esbuild');

const appDir = process.cwd();
const manifest = JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8'));
const outdir = join(appDir, 'dist');
const entryPoints = ['main', 'rebuild'].map((name) => join(appDir, 'src', `${name}.ts`)).filter(existsSync);

rmSync(outdir, { recursive: true, force: true });
const result = await esbuild.build({
  entryPoints,
  outdir,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  logLevel: 'warning',
  // CommonJS code bundled into an ES module still calls require() for Node's builtins.
  banner: {
    js: "import { createRequire as __afternoonRequire } from 'node:module'; const require = __afternoonRequire(import.meta.url);",
  },
  plugins: [bundlePlugin({ appDir, outdir, dependencies: Object.keys(manifest.dependencies ?? {}) })],
});
if (result.errors.length > 0) process.exit(1);
console.log(`${manifest.name}: ${entryPoints.length} entry point(s) bundled into dist/`);
