// The bench's own broker starts cold: for its first minutes the JVM's JIT compilers (the C1 and C2 threads) take a
// large share of a core. Measured (session 18): the broker used 40–69% of a core during create-customer right after
// it started, and 15–17% for the same load once its compilers had gone quiet. A production broker runs warm, so
// before measuring, the bench sends the apps' own traffic through it (customers created through the gateway, which
// every service's consumers then read, beside bulk records produced and consumed with kafkajs) until the compiler
// threads go quiet, or a minute and a half has passed. A light load alone does not do it: the compilers stay quiet
// under it and start on the apps' paths once those run.
import { readdirSync, readFileSync } from 'node:fs';
import { runLoad } from '../load.mjs';
import { createOrganization } from './api.mjs';
import { benchKafka, withAdmin } from './kafka.mjs';

const TICKS_PER_SECOND = 100;
const QUIET_SHARE = 0.1;
const QUIET_SECONDS = 3;
const MAX_SECONDS = 90;
const RECORDS_PER_ROUND = 5_000;
/** Warm-ups on a healthy stack create 40–65 customers a second at 10 connections (sessions 18 and 19). */
const MIN_CUSTOMERS_PER_SECOND = 10;

/** CPU ticks the JVM's JIT compiler threads have used so far. */
function compilerTicks(pid) {
  let ticks = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = readFileSync(`/proc/${pid}/task/${task}/comm`, 'utf8');
      if (!/^C[12] Compiler/.test(name)) continue;
      const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {}
  }
  return ticks;
}

/**
 * Sends rounds of a second of traffic until the broker's compilers used less than 10% of a core for 3 s in a row;
 * answers a sentence for the log.
 */
export async function warmBroker({ cluster }) {
  const { pid, brokers } = cluster.ownBroker;
  const topic = `${cluster.topicPrefix}bench.warmup`;
  const organization = await createOrganization(cluster.baseUrl, cluster.adminToken, `Bench warm-up ${cluster.runId}`);
  const createCustomer = {
    method: 'POST',
    path: '/v1/customers',
    headers: { authorization: `Bearer ${organization.keys.live}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Warm-up' }),
  };
  await withAdmin(brokers, (admin) => admin.createTopics({ topics: [{ topic, numPartitions: 6 }] }));
  const kafka = benchKafka(brokers);
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: `${topic}.reader`, maxWaitTimeInMs: 100 });
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachBatch: async () => undefined });
  const messages = Array.from({ length: RECORDS_PER_ROUND }, (_, index) => ({
    key: String(index),
    value: 'x'.repeat(300),
  }));
  const started = Date.now();
  let quietSeconds = 0;
  let requests = 0;
  try {
    while (quietSeconds < QUIET_SECONDS && Date.now() - started < MAX_SECONDS * 1000) {
      const before = { ticks: compilerTicks(pid), at: Date.now() };
      const load = runLoad({ baseUrl: cluster.baseUrl, request: createCustomer, connections: 10, durationSeconds: 1 });
      await producer.send({ topic, acks: -1, messages });
      requests += (await load.done).requests;
      const seconds = (Date.now() - before.at) / 1000;
      const share = (compilerTicks(pid) - before.ticks) / TICKS_PER_SECOND / seconds;
      quietSeconds = share < QUIET_SHARE ? quietSeconds + 1 : 0;
    }
  } finally {
    await Promise.allSettled([producer.disconnect(), consumer.disconnect()]);
    await withAdmin(brokers, (admin) => admin.deleteTopics({ topics: [topic] })).catch(() => undefined);
  }
  const seconds = (Date.now() - started) / 1000;
  const outcome = quietSeconds >= QUIET_SECONDS ? 'its JIT compilers quiet' : 'its JIT compilers still busy';
  // Session 19's warm-ups created 1 and 4 customers where earlier ones created thousands, and said nothing: every
  // POST waited on a bug. The report says so now, for the next one.
  const slow =
    requests < MIN_CUSTOMERS_PER_SECOND * seconds
      ? `; **fewer than ${MIN_CUSTOMERS_PER_SECOND} customers a second: the command path is slow or failing, and the scenarios after it will show it**`
      : '';
  return `broker warmed in ${seconds.toFixed(0)} s (${requests.toLocaleString('en')} customers created, ${RECORDS_PER_ROUND.toLocaleString('en')} records a second produced and consumed): ${outcome}${slow}`;
}
