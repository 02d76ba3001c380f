// `npm run service -- <app>`'s refusals: an app it does not know, an env file that is not there. Starting a built app
// through it is in apps/gateway/src/compiledApps.e2e.spec.ts (customer-service).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const service = (...args) =>
  spawnSync(process.execPath, [join(import.meta.dirname, 'service.mjs'), ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH },
  });

describe('npm run service', () => {
  it('names the apps when the app is missing or unknown, and starts nothing', () => {
    for (const args of [[], ['billing-service']]) {
      const run = service(...args);
      expect(run.status).toBe(2);
      expect(run.stderr).toContain('one of: gateway, customer-service, metering-service, invoicing-service');
      expect(run.stderr).toContain('usage: npm run service -- <app> [--env <file>]');
    }
  });

  it('refuses an env file that is not there, and stray arguments', () => {
    expect(service('gateway', '--env', '/nonexistent/afternoon.env').stderr).toContain(
      'no env file at /nonexistent/afternoon.env',
    );
    expect(service('gateway', '--verbose').stderr).toContain('unexpected arguments: --verbose');
  });
});
