// The Dockerfile's promises, checked without a Docker engine: the runtime stage runs the compiled app as a non-root
// user, with every app's dist/ and every migrations folder, and nothing of the build (sources, pnpm, dev dependencies).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_HEAP_OPTION } from '../lib/apps.mjs';

const root = join(import.meta.dirname, '..', '..');
const apps = readdirSync(join(root, 'apps'));
const packages = readdirSync(join(root, 'packages'));
const migrationFolders = [
  ...apps.map((app) => `apps/${app}/migrations`),
  ...packages.map((name) => `packages/${name}/migrations`),
].filter((folder) => existsSync(join(root, folder)));

/** The Dockerfile's instructions (continuation lines joined, comments dropped), grouped by stage name. */
function stages() {
  const text = readFileSync(join(root, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const instructions = text.split('\n').filter((line) => line.trim() && !line.trim().startsWith('#'));
  const byStage = new Map();
  let current = [];
  for (const line of instructions) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) {
      current = [];
      byStage.set(from[2] ?? `#${byStage.size}`, { image: from[1], lines: current });
    }
    current.push(line.trim());
  }
  return byStage;
}

describe('the Dockerfile', () => {
  const all = stages();
  const runtime = [...all.values()].at(-1);
  const runtimeLines = runtime.lines;
  const text = readFileSync(join(root, 'Dockerfile'), 'utf8');

  it('ends in a runtime stage on node:20-slim that runs the compiled app as the non-root node user', () => {
    expect([...all.keys()].at(-1)).toBe('runtime');
    expect(runtime.image).toBe(all.get('manifests').image);
    expect(text).toMatch(/^ARG NODE_IMAGE=node:20-slim$/m);
    const user = runtimeLines.findLast((line) => line.startsWith('USER '));
    expect(user).toBe('USER node');
    const cmd = runtimeLines.findLast((line) => line.startsWith('CMD '));
    expect(runtimeLines.indexOf(user)).toBeLessThan(runtimeLines.indexOf(cmd));
    expect(cmd).toContain('exec node \\"apps/$SERVICE/dist/main.js\\"');
    expect(runtimeLines.some((line) => line.startsWith('HEALTHCHECK ') && line.includes('/readyz'))).toBe(true);
  });

  it("bounds V8's old space as every launcher of the apps does", () => {
    expect(runtimeLines).toContain(`ENV NODE_OPTIONS=${APP_HEAP_OPTION}`);
  });

  it("copies every app's dist from the build stage and every migrations folder, and no sources", () => {
    for (const app of apps) expect(runtimeLines).toContain(`COPY --from=build /app/apps/${app}/dist apps/${app}/dist`);
    for (const folder of migrationFolders) expect(runtimeLines).toContain(`COPY ${folder} ${folder}`);
    expect(runtimeLines.filter((line) => /^COPY\s+\.\s/.test(line))).toEqual([]);
    expect(runtimeLines.filter((line) => /\b(pnpm|tsx|corepack)\b/.test(line) && line.startsWith('RUN'))).toEqual([]);
  });

  it('installs production dependencies only, from the lockfile, for the runtime stage', () => {
    const copied = runtimeLines.filter((line) => line.startsWith('COPY --from=') && !line.includes('/dist '));
    expect(copied).toEqual(['COPY --from=production-dependencies /app ./']);
    const install = all.get('production-dependencies').lines.find((line) => line.startsWith('RUN pnpm install'));
    expect(install).toMatch(/--frozen-lockfile/);
    expect(install).toMatch(/--prod\b/);
  });

  it("builds with the lockfile and turbo's build task, every workspace manifest and dependency patch copied first", () => {
    const manifests = all.get('manifests').lines;
    for (const folder of [...apps.map((app) => `apps/${app}`), ...packages.map((name) => `packages/${name}`)]) {
      expect(manifests).toContain(`COPY ${folder}/package.json ${folder}/`);
    }
    const patched = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).pnpm?.patchedDependencies ?? {};
    for (const patch of Object.values(patched)) {
      expect(patch.startsWith('patches/'), patch).toBe(true);
      expect(manifests).toContain('COPY patches patches/');
    }
    const build = all.get('build').lines;
    expect(build).toContain('RUN pnpm install --frozen-lockfile');
    expect(build.some((line) => /^RUN .*turbo run build$/.test(line))).toBe(true);
  });
});
