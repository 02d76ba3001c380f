// Headless Chromium for the hosted invoice browser test: Debian's `chromium` package, installed with apt when missing.
// Plain Node, no npm dependencies, like workspace.mjs.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { log as logAs } from './workspace.mjs';

const log = (message) => logAs('chromium', message);
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Makes sure a Chromium binary exists at CHROMIUM_PATH (default /usr/bin/chromium), installing Debian's package when
 * the default is missing. Returns false when there is none; the browser test then fails saying so.
 */
export async function ensureChromium(env = process.env) {
  const path = env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH;
  if (existsSync(path)) return true;
  if (path !== DEFAULT_CHROMIUM_PATH) {
    log(`CHROMIUM_PATH=${path} does not exist; not installing anything (unset it to install Debian's chromium)`);
    return false;
  }
  if (!existsSync('/usr/bin/apt-get')) return missing('apt-get is not available');
  const install = ['install', '-y', '--no-install-recommends', 'chromium'];
  let result = await aptGet(install);
  if (result.code !== 0 && /Unable to locate package|has no installation candidate/.test(result.stderr)) {
    log('apt has no package list for chromium: running apt-get update first');
    const update = await aptGet(['update']);
    if (update.code !== 0) return missing(`apt-get update failed (exit ${update.code})`);
    result = await aptGet(install);
  }
  if (result.code !== 0) return missing(`apt-get install chromium failed (exit ${result.code})`);
  return existsSync(path) || missing(`apt-get installed chromium but ${path} is still missing`);
}

function missing(reason) {
  log(`${reason}. Chromium is missing, so the hosted invoice browser test will fail.`);
  log(`Install it with \`apt-get install chromium\`, or point CHROMIUM_PATH at a Chromium binary.`);
  return false;
}

/** `apt-get <args>` as root (through `sudo -n` otherwise); its output goes to our stderr, and stderr is also kept. */
function aptGet(args) {
  const asRoot = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  // Other checkouts' test runs may be installing at the same moment: wait for dpkg's lock instead of failing.
  const command = [...asRoot, 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', '-o', 'DPkg::Lock::Timeout=300'];
  log(`running: ${[...command, ...args].join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(command[0], [...command.slice(1), ...args], { stdio: ['ignore', 2, 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      stderr += chunk;
      process.stderr.write(chunk);
    });
    child.once('error', (error) => resolve({ code: 127, stderr: `${stderr}${error.message}\n` }));
    child.once('exit', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), stderr }));
  });
}
