import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from './freePort';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../../../../infra/kafka/kafka.sh', import.meta.url));

/** A Kafka broker of a test's own (infra/kafka/kafka.sh on free ports), so the test can stop and restart it. */
export interface PrivateKafka {
  /** `127.0.0.1:<port>`; the port and the data stay the same across restarts. */
  readonly brokers: string;
  start(): Promise<void>;
  /** A clean shutdown (SIGTERM, the script waits for the broker to exit). */
  stop(): Promise<void>;
  /** Stops the broker and deletes its files. */
  destroy(): Promise<void>;
}

/** Starts a single-node broker with its state in a temporary folder, never touching the shared one on 9092. */
export async function startPrivateKafka(): Promise<PrivateKafka> {
  const stateDir = mkdtempSync(join(tmpdir(), 'afternoon-kafka-'));
  const [port, controllerPort] = [await freePort(), await freePort()];
  const env = {
    ...process.env,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    KAFKA_STATE_DIR: stateDir,
    KAFKA_HEAP_OPTS: '-Xmx512m',
  };
  const start = async () => {
    await run(script, ['start'], { env });
  };
  const stop = async () => {
    await run(script, ['stop'], { env });
  };
  await start();
  return {
    brokers: `127.0.0.1:${port}`,
    start,
    stop,
    async destroy() {
      await stop().catch(() => undefined);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
