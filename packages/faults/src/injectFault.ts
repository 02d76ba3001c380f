import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { type FaultCluster, signalGroup } from './faultCluster';
import type { Fault } from './faultPlan';

export const noiseTopic = 'faults.noise';
const floodRows = 120;
const floodRowBytes = 64 * 1024;
/** Over the broker's default 1 MiB message limit: each must be reported and set aside, never jam the relay. */
const oversizedRows = 2;
const oversizedRowBytes = 2 * 1024 * 1024;

/** Does what the fault says and undoes it (restarts, SIGCONT); the supervisor brings killed apps back by itself. */
export async function injectFault(cluster: FaultCluster, fault: Fault): Promise<void> {
  switch (fault.kind) {
    case 'kill':
      signalGroup(runningPid(cluster, fault.app), 'SIGKILL');
      return;
    case 'postgres-restart':
      await cluster.postgres.stop('immediate');
      await delay(fault.downMs);
      await cluster.postgres.start();
      return;
    case 'kafka-restart':
      await cluster.kafka.stop('graceful');
      await cluster.kafka.start();
      return;
    case 'pause': {
      const pid = runningPid(cluster, fault.app);
      signalGroup(pid, 'SIGSTOP');
      await delay(fault.pausedMs);
      signalGroup(pid, 'SIGCONT');
      return;
    }
    case 'outbox-flood':
      await floodOutbox(cluster.postgres.url, 'customers');
      return;
    default: {
      const unknown: never = fault;
      return unknown;
    }
  }
}

function runningPid(cluster: FaultCluster, app: Parameters<FaultCluster['pidOf']>[0]): number {
  const pid = cluster.pidOf(app);
  if (pid === undefined) throw new Error(`${app} has no running process to fault`);
  return pid;
}

async function floodOutbox(databaseUrl: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const insert = `INSERT INTO ${schema}.outbox (topic, key, payload)
                    SELECT $1, 'noise-' || n, jsonb_build_object('noise', repeat('x', $2)) FROM generate_series(1, $3) AS n`;
    await client.query(insert, [noiseTopic, floodRowBytes, floodRows]);
    await client.query(insert, [noiseTopic, oversizedRowBytes, oversizedRows]);
  } finally {
    await client.end();
  }
}
