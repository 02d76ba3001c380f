import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import './providedContext';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const teardowns: Array<() => Promise<unknown>> = [];

/**
 * Real Kafka and Postgres for every test: KAFKA_BROKERS / DATABASE_URL when set, containers where a Docker
 * engine answers, and otherwise the native cluster started by the project's own infra scripts.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const useContainers = !(process.env.KAFKA_BROKERS && process.env.DATABASE_URL) && (await dockerAnswers());
  const kafkaBrokers = process.env.KAFKA_BROKERS ?? (useContainers ? await kafkaContainer() : await nativeKafka());
  const databaseUrl = process.env.DATABASE_URL ?? (useContainers ? await postgresContainer() : await nativePostgres());
  project.provide('kafkaBrokers', kafkaBrokers);
  project.provide('databaseUrl', databaseUrl);
  return async () => {
    for (const teardown of teardowns.reverse()) await teardown();
  };
}

async function dockerAnswers(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

async function kafkaContainer(): Promise<string> {
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const container = await new KafkaContainer('apache/kafka:4.3.1').withKraft().start();
  teardowns.push(() => container.stop());
  return `${container.getHost()}:${container.getMappedPort(9093)}`;
}

async function postgresContainer(): Promise<string> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer('postgres:15').start();
  teardowns.push(() => container.stop());
  return container.getConnectionUri();
}

/**
 * The native broker, started by infra/kafka/kafka.sh when none runs. Every run on this machine registers itself
 * beside the broker's state, and the run that started it stops it only once no other run is still using it.
 */
async function nativeKafka(): Promise<string> {
  const script = `${repoRoot}infra/kafka/kafka.sh`;
  const wasRunning = await run(script, ['status']).then(
    () => true,
    () => false,
  );
  const { stdout } = await run(script, ['start'], { maxBuffer: 10 * 1024 * 1024 });
  const brokers = /KAFKA_BROKERS=(\S+)/.exec(stdout)?.[1];
  if (!brokers) throw new Error(`infra/kafka/kafka.sh start printed no KAFKA_BROKERS line:\n${stdout}`);
  const registration = join(testRunsDir(), String(process.pid));
  mkdirSync(testRunsDir(), { recursive: true });
  writeFileSync(registration, '');
  teardowns.push(async () => {
    rmSync(registration, { force: true });
    if (!wasRunning && otherLiveRuns().length === 0) await run(script, ['stop']);
  });
  return brokers;
}

function testRunsDir(): string {
  return join(process.env.KAFKA_STATE_DIR ?? `${repoRoot}.local/kafka`, 'test-runs');
}

/** The other test runs registered with the broker whose process is still alive. */
function otherLiveRuns(): number[] {
  return readdirSync(testRunsDir())
    .map(Number)
    .filter((pid) => pid !== process.pid && Number.isInteger(pid) && isAlive(pid));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function nativePostgres(): Promise<string> {
  const { stdout } = await run(`${repoRoot}infra/postgres/postgres.sh`, ['url']);
  return stdout.trim();
}
