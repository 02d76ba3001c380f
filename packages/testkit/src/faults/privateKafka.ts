import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './freePort';

const run = promisify(execFile);
export const kafkaScript = resolve(import.meta.dirname, '../../../../infra/kafka/kafka.sh');

/** A single-node broker of a test's own (infra/kafka/kafka.sh with its own ports and data), to stop and kill at will. */
export interface PrivateKafka {
  /** `127.0.0.1:<port>`; the port stays the same across restarts. */
  readonly brokers: string;
  /** Its data, logs and pid file (KAFKA_STATE_DIR). */
  readonly stateDir: string;
  start(): Promise<void>;
  /** `graceful` is a controlled shutdown; `kill` is SIGKILL (the log is recovered at the next start). */
  stop(mode?: 'graceful' | 'kill'): Promise<void>;
  /** Stops the broker and deletes its files. */
  destroy(): Promise<void>;
}

/** SCRAM-SHA-256 credentials the broker's only listener asks of every client (SASL_PLAINTEXT). */
export interface ScramUser {
  username: string;
  password: string;
}

export async function startPrivateKafka(options: { heap?: string; scram?: ScramUser } = {}): Promise<PrivateKafka> {
  const stateDir = mkdtempSync(join(tmpdir(), 'afternoon-kafka-'));
  const port = await freePort();
  const env = {
    ...process.env,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(await freePort()),
    KAFKA_STATE_DIR: stateDir,
    KAFKA_HEAP_OPTS: options.heap ?? '-Xmx512m',
    KAFKA_START_TIMEOUT: '120',
    // Set either way, so SASL settings in the shell (meant for the apps) never reach a broker that did not ask them.
    KAFKA_SASL_MECHANISM: options.scram ? 'scram-sha-256' : '',
    KAFKA_SASL_USERNAME: options.scram?.username ?? '',
    KAFKA_SASL_PASSWORD: options.scram?.password ?? '',
  };
  const script = (command: 'start' | 'stop') => run('bash', [kafkaScript, command], { env });
  const kill = () => {
    const pid = Number(readFileSync(join(stateDir, 'kafka.pid'), 'utf8').trim());
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  const start = async () => {
    await script('start');
  };
  await start();
  return {
    brokers: `127.0.0.1:${port}`,
    stateDir,
    start,
    async stop(mode = 'graceful') {
      if (mode === 'kill') kill();
      await script('stop');
    },
    async destroy() {
      await script('stop').catch(() => undefined);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
