// infra/kafka/kafka.sh on a broker of its own (a state directory of the test's, free ports): `stop` leaves alone a
// broker of this state directory that runs on another port than the caller's KAFKA_PORT, as `start` refuses to.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { alive } from '../lib/testing/alive.mjs';

const kafkaSh = join(import.meta.dirname, 'kafka.sh');
const stateDir = mkdtempSync(join(tmpdir(), 'afternoon-kafka-script-'));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function kafka(command, env) {
  const settings = { ...process.env, KAFKA_STATE_DIR: stateDir, KAFKA_HEAP_OPTS: '-Xmx256m', ...env };
  return promisify(execFile)(kafkaSh, [command], { env: settings, timeout: 120_000 });
}

describe('infra/kafka/kafka.sh stop', () => {
  let ports;
  afterAll(async () => {
    if (ports) await kafka('stop', ports).catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("leaves this state directory's broker running when asked for another port, and stops it on its own", async () => {
    ports = { KAFKA_PORT: String(await freePort()), KAFKA_CONTROLLER_PORT: String(await freePort()) };
    const started = await kafka('start', ports);
    expect(started.stdout).toContain(`KAFKA_BROKERS=127.0.0.1:${ports.KAFKA_PORT}`);
    const pid = Number(readFileSync(join(stateDir, 'kafka.pid'), 'utf8').trim());

    const elsewhere = String(await freePort());
    const refused = await kafka('stop', { KAFKA_PORT: elsewhere });
    expect(refused.stderr).toContain(`runs on port ${ports.KAFKA_PORT}, not ${elsewhere}`);
    expect(alive(pid)).toBe(true);
    await expect(kafka('status', ports)).resolves.toBeDefined();

    await kafka('stop', ports);
    expect(alive(pid)).toBe(false);
  }, 180_000);
});
