// The bench's own single-node Kafka broker: the jars infra/kafka/kafka.sh fetched into .local/kafka/libs, run with
// a data directory and ports of its own (.local/bench-kafka, 127.0.0.1:9192 and controller 9193 unless
// BENCH_KAFKA_PORT / BENCH_KAFKA_CONTROLLER_PORT say otherwise). The shared broker on 9092 carries every test
// run's topics and is started and stopped by them at any moment; this one carries only the bench's, keeps the
// usage-query seed's topics between runs, and is started and stopped by the bench alone.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { KAFKA_SH, LOCAL_DIR, log as logAs, ROOT, run, tcpOpen } from '../lib/workspace.mjs';

const log = (message) => logAs('bench', message);
const HOST = '127.0.0.1';
const STATE_DIR = join(LOCAL_DIR, 'bench-kafka');
const LIBS = join(LOCAL_DIR, 'kafka', 'libs');

function properties(port, controllerPort, dataDir) {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${HOST}:${controllerPort}`,
    `listeners=PLAINTEXT://${HOST}:${port},CONTROLLER://${HOST}:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://${HOST}:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${dataDir}`,
    'num.partitions=1',
    'default.replication.factor=1',
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'min.insync.replicas=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    '',
  ].join('\n');
}

function java(env) {
  return env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : 'java';
}

function javaTool(env, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(java(env), ['-Xmx256m', '-cp', join(LIBS, '*'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${args[0]} failed: ${output}`))));
  });
}

/** Starts the bench's broker (fetching the jars with kafka.sh if missing); resolves with its handle. */
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
  if (!existsSync(join(LIBS, '.fetch-complete'))) {
    if ((await run(KAFKA_SH, ['fetch'], { stdio: ['ignore', 2, 'inherit'], env })) !== 0) {
      throw new Error('infra/kafka/kafka.sh fetch failed');
    }
  }
  const dataDir = join(STATE_DIR, 'data');
  mkdirSync(dataDir, { recursive: true });
  const propsFile = join(STATE_DIR, 'server.properties');
  writeFileSync(propsFile, properties(port, controllerPort, dataDir));
  const idFile = join(STATE_DIR, 'cluster-id');
  if (!existsSync(idFile))
    writeFileSync(idFile, (await javaTool(env, ['kafka.tools.StorageTool', 'random-uuid'])).trim());
  if (!existsSync(join(dataDir, 'meta.properties'))) {
    const id = readFileSync(idFile, 'utf8').trim();
    await javaTool(env, ['kafka.tools.StorageTool', 'format', '-t', id, '-c', propsFile, '--ignore-formatted']);
  }

  const started = Date.now();
  const output = openSync(join(STATE_DIR, 'stdout.log'), 'a');
  const child = spawn(
    java(env),
    [
      ...(env.BENCH_KAFKA_HEAP_OPTS ?? '-Xmx1g').split(/\s+/).filter(Boolean),
      '-XX:+ExitOnOutOfMemoryError',
      '-Djava.awt.headless=true',
      '-cp',
      join(LIBS, '*'),
      `-Dlog4j2.configurationFile=${join(ROOT, 'infra', 'kafka', 'log4j2.xml')}`,
      `-Dkafka.logs.dir=${STATE_DIR}`,
      'kafka.Kafka',
      propsFile,
    ],
    { stdio: ['ignore', output, output], detached: true },
  );
  let exited = false;
  const exit = new Promise((resolve) => child.once('exit', resolve));
  exit.then(() => {
    exited = true;
  });
  const broker = {
    brokers: `${HOST}:${port}`,
    pid: child.pid,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      await exit;
      clearTimeout(timer);
    },
    killNow() {
      if (!exited) child.kill('SIGKILL');
    },
  };
  const { benchKafka } = await import('./lib/kafka.mjs');
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited)
      throw new Error(`the bench's Kafka broker exited during startup (see ${join(STATE_DIR, 'stdout.log')})`);
    if (await tcpOpen(HOST, port)) {
      const admin = benchKafka(broker.brokers).admin();
      const ready = await admin
        .connect()
        .then(() => admin.listTopics())
        .then(() => true)
        .catch(() => false)
        .finally(() => admin.disconnect());
      if (ready) break;
    }
    if (Date.now() > deadline) {
      broker.killNow();
      throw new Error(`the bench's Kafka broker did not answer on ${broker.brokers} within 120 s`);
    }
    await delay(500);
  }
  log(
    `own Kafka broker ready on ${broker.brokers} (pid ${child.pid}, ${((Date.now() - started) / 1000).toFixed(1)} s; data in .local/bench-kafka)`,
  );
  return broker;
}
