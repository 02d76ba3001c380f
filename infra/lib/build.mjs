// The apps bundled for plain `node` (apps/<app>/dist/main.js, ADR 0024): turbo's `build` in every app, which skips
// an app whose sources have not changed since its last build. Used by `npm run build` and the bench.
import { pnpm } from './workspace.mjs';

/** Runs the build; resolves with its exit code. `args` are passed to turbo (e.g. `--filter`). */
export function buildApps(args = []) {
  return pnpm(['exec', 'turbo', 'run', 'build', '--output-logs=errors-only', ...args], {
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });
}
