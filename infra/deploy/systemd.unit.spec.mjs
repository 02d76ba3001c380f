// The systemd units of infra/deploy/systemd: one per app, each starting that app through `npm run service`'s script
// as a non-root user with an env file, restarted on failure; systemd-analyze, where installed, knows every directive.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_HEAP_OPTION } from '../lib/apps.mjs';

const root = join(import.meta.dirname, '..', '..');
const unitsDir = join(import.meta.dirname, 'systemd');
const apps = readdirSync(join(root, 'apps'));
const units = readdirSync(unitsDir).filter((name) => name.endsWith('.service'));

/** Every `key=value` of a unit file, in order, under its section (`Service.ExecStart`). */
function directives(file) {
  let section = '';
  const found = [];
  for (const line of readFileSync(join(unitsDir, file), 'utf8').split('\n')) {
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) section = header[1];
    const entry = /^(\w+)=(.*)$/.exec(line);
    if (entry) found.push([`${section}.${entry[1]}`, entry[2]]);
  }
  return found;
}
const valuesOf = (file, key) => directives(file).flatMap(([name, value]) => (name === key ? [value] : []));

const systemdAnalyze = (() => {
  try {
    execFileSync('systemd-analyze', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('the systemd units', () => {
  it('are one per app, named afternoon-<app>.service', () => {
    expect(units.sort()).toEqual(apps.map((app) => `afternoon-${app}.service`).sort());
  });

  it.each(apps)(
    "afternoon-%s.service runs that compiled app through infra/service.mjs, from the repository's root",
    (app) => {
      const unit = `afternoon-${app}.service`;
      expect(valuesOf(unit, 'Service.ExecStart')).toEqual([`/usr/bin/node infra/service.mjs ${app}`]);
      expect(valuesOf(unit, 'Service.WorkingDirectory')).toEqual(['/opt/afternoon']);
      expect(existsSync(join(root, 'infra', 'service.mjs'))).toBe(true);
      const manifest = JSON.parse(readFileSync(join(root, 'apps', app, 'package.json'), 'utf8'));
      expect(manifest.scripts.build).toBe('node ../../infra/build/bundleApp.mjs');
    },
  );

  it.each(apps)(
    'afternoon-%s.service runs as a non-root user, from env files, restarted on failure, hardened',
    (app) => {
      const unit = `afternoon-${app}.service`;
      const [user] = valuesOf(unit, 'Service.User');
      expect(user).toBeDefined();
      expect(['root', '0']).not.toContain(user);
      expect(valuesOf(unit, 'Service.EnvironmentFile')).toEqual([
        '/etc/afternoon/afternoon.env',
        `-/etc/afternoon/${app}.env`,
      ]);
      expect(valuesOf(unit, 'Service.Restart')).toEqual(['on-failure']);
      expect(valuesOf(unit, 'Service.Environment')).toContain(`NODE_OPTIONS=${APP_HEAP_OPTION}`);
      for (const [key, value] of [
        ['NoNewPrivileges', 'yes'],
        ['ProtectSystem', 'strict'],
        ['ProtectHome', 'yes'],
        ['PrivateTmp', 'yes'],
        ['CapabilityBoundingSet', ''],
      ]) {
        expect(valuesOf(unit, `Service.${key}`)).toEqual([value]);
      }
      expect(valuesOf(unit, 'Install.WantedBy')).toEqual(['multi-user.target']);
    },
  );

  it.runIf(systemdAnalyze).each(units)('%s uses only directives systemd knows (systemd-analyze verify)', (unit) => {
    // It complains on stderr (and still exits 0) about an unknown or malformed directive.
    const verify = spawnSync('systemd-analyze', ['verify', '--man=no', join(unitsDir, unit)], { encoding: 'utf8' });
    expect(`${verify.stdout}${verify.stderr}`).not.toMatch(/Unknown (key|section)|Invalid|Failed to parse/);
  });
});
