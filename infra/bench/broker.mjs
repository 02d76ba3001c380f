// The bench's own single-node Kafka broker: infra/kafka/kafka.sh with a state directory and ports of its own
// (.local/bench-kafka, 127.0.0.1:9192 and controller 9193 unless BENCH_KAFKA_PORT / BENCH_KAFKA_CONTROLLER_PORT say
// otherwise). The shared broker on 9092 carries every test run's topics and is started and stopped by them at any
// moment; this one carries only the bench's, keeps the usage-query seed's topics between runs, and is started and
// stopped by the bench alone.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KAFKA_SH, LOCAL_DIR, log as logAs, run, tcpOpen } from '../lib/workspace.mjs';

const log = (message) => logAs('bench', message);
const HOST = '127.0.0.1';
const STATE_DIR = join(LOCAL_DIR, 'bench-kafka');

/** Starts the bench's broker (kafka.sh fetches the jars if missing); resolves with its handle. */
export async function startBenchBroker(env) {
  const port = Number(env.BENCH_KAFKA_PORT ?? 9192);
  const controllerPort = Number(env.BENCH_KAFKA_CONTROLLER_PORT ?? 9193);
  for (const taken of [port, controllerPort]) {
    if (await tcpOpen(HOST, taken)) {
      throw new Error(
        `port ${taken} is in use: is another \`npm run bench\` running? (BENCH_KAFKA_PORT, BENCH_KAFKA_CONTROLLER_PORT)`,
      );
    }
  }
  const brokerEnv = {
    ...env,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    KAFKA_STATE_DIR: STATE_DIR,
    KAFKA_HEAP_OPTS: env.BENCH_KAFKA_HEAP_OPTS ?? '-Xmx1g',
    KAFKA_START_TIMEOUT: env.BENCH_KAFKA_START_TIMEOUT ?? '120',
  };
  const quiet = { env: brokerEnv, stdio: ['ignore', 'ignore', 'inherit'] };
  const started = Date.now();
  if ((await run(KAFKA_SH, ['start'], quiet)) !== 0) throw new Error("the bench's Kafka broker did not start");
  const pid = Number(readFileSync(join(STATE_DIR, 'kafka.pid'), 'utf8').trim());
  log(
    `own Kafka broker ready on ${HOST}:${port} (pid ${pid}, ${((Date.now() - started) / 1000).toFixed(1)} s; data in .local/bench-kafka)`,
  );
  return {
    brokers: `${HOST}:${port}`,
    pid,
    async stop() {
      await run(KAFKA_SH, ['stop'], quiet);
    },
    killNow() {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    },
  };
}
