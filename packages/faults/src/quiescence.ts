import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import type { FaultCluster } from './faultCluster';
import type { AppName } from './faultPlan';
import type { Tenant } from './ledger';
import { type AnswerTally, callUntilAnswered } from './resilientCaller';

const pollMs = 250;

const recoveryLimitMs = 180_000;

/** Milliseconds until every app answers ready and a write goes through end to end again; undefined past 180 s. */
export async function timeToRecover(
  cluster: FaultCluster,
  tenant: Tenant,
  probe: string,
  tally: AnswerTally,
): Promise<number | undefined> {
  const started = Date.now();
  const deadline = started + recoveryLimitMs;
  const ready = await untilAppsReady(cluster, deadline).then(
    () => true,
    () => false,
  );
  if (!ready) return undefined;
  const answer = await callUntilAnswered({
    baseUrl: cluster.baseUrl,
    apiKey: tenant.liveKey,
    method: 'POST',
    path: '/v1/customers',
    body: { name: `Probe ${probe}` },
    idempotencyKey: `faults-probe-${probe}`,
    giveUpAt: () => deadline,
    tally,
  });
  return answer?.status === 201 ? Date.now() - started : undefined;
}

/** Resolves once every app answers /readyz with 200; throws, naming the ones that do not, at the deadline. */
export async function untilAppsReady(cluster: FaultCluster, deadline: number): Promise<void> {
  for (;;) {
    const readiness = await cluster.readiness();
    const down = [...readiness].filter(([, ready]) => !ready).map(([name]) => name as AppName);
    if (down.length === 0) return;
    if (Date.now() > deadline) throw new Error(`not ready: ${down.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Waits until metering has handled every record now on the ingest topic (its stored offsets reach the end). */
export async function untilUsageDrained(cluster: FaultCluster, deadline: number): Promise<void> {
  const kafka = new Kafka({
    clientId: 'afternoon-faults',
    brokers: [cluster.kafka.brokers],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  const client = new pg.Client({ connectionString: cluster.postgres.url });
  await Promise.all([admin.connect(), client.connect()]);
  try {
    const end = (await admin.fetchTopicOffsets('usage.ingest')).reduce((sum, { high }) => sum + BigInt(high), 0n);
    for (;;) {
      const { rows } = await client.query<{ total: string }>(
        "SELECT coalesce(sum(next_offset), 0)::text AS total FROM metering.consumer_offsets WHERE topic = 'usage.ingest'",
      );
      const stored = BigInt(rows[0]?.total ?? '0');
      if (stored >= end) return;
      if (Date.now() > deadline) throw new Error(`metering still ${end - stored} records behind on usage.ingest`);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  } finally {
    await Promise.allSettled([admin.disconnect(), client.end()]);
  }
}
