// Issue 17's gateway goal: what the gateway accepts on its own, metering stopped, against the same run's Kafka
// ProducerPerformance. The same closed loop as scenario 1 (4 connections, 1,000 events a request); then metering is
// started again and given BENCH_DRAIN_TIMEOUT_SECONDS to store what piled up, so the next scenario starts level.
import { cpuShare } from '../lib/cpuShare.mjs';
import { caughtUpWithTopic, withClient } from '../lib/db.mjs';
import { ingestSetup } from '../lib/ingestSetup.mjs';
import { withAdmin } from '../lib/kafka.mjs';
import { ratioTo } from '../lib/limits.mjs';
import { BATCH_SIZE, CONNECTIONS, ingestRequest } from './http-ingest.mjs';

/** Issue 17: the gateway alone accepts ≥ 0.5 × the same run's ProducerPerformance rate. */
const GOAL_PRODUCER_RATIO = 0.5;

/** Waits until metering has stored everything in its usage topic; answers a sentence for the details. */
async function drain(context) {
  const { cluster } = context;
  const schema = cluster.app('metering-service').schema;
  const topic = `${cluster.topicPrefix}usage.ingest`;
  const timeoutMs = context.drainTimeoutSeconds * 1000;
  const drained = await withAdmin(cluster.kafkaBrokers, (admin) =>
    withClient(cluster.databaseUrl, (client) => caughtUpWithTopic({ client, admin, schema, topic, timeoutMs })),
  );
  return drained.caughtUp
    ? `metering, restarted, stored the backlog in ${(drained.ms / 1000).toFixed(1)} s`
    : `**metering still lacked ${drained.behind.toLocaleString('en')} records ${(drained.ms / 1000).toFixed(0)} s ` +
        'after its restart** (BENCH_DRAIN_TIMEOUT_SECONDS)';
}

/** @type {import('../scenario.mjs').MeasuredScenario} */
export default {
  id: 'gateway-alone',
  title: '3. HTTP ingest, gateway alone (metering stopped)',
  measures:
    'Scenario 1’s closed loop (4 connections, 1,000 events a request) with metering-service stopped: events/s the ' +
    'gateway accepts (200s × 1,000 ÷ duration) on its own, compared with the same run’s ProducerPerformance. ' +
    'Metering is started again afterwards and stores the backlog before the next scenario.',
  async measure(context) {
    const { cluster } = context;
    const { customers } = await ingestSetup(context);
    const request = ingestRequest(context.organization.keys.live, customers, 'g');
    await drain(context);
    await cluster.stopApp('metering-service');
    context.log(`${this.id}: metering stopped; ${CONNECTIONS} connections for ${context.durationSeconds} s`);
    let result;
    let cpuDuringLoad;
    try {
      if (context.warmupSeconds > 0) await context.load(request, CONNECTIONS, context.warmupSeconds);
      const cpu = cpuShare(cluster);
      result = await context.load(request, CONNECTIONS, context.durationSeconds);
      cpuDuringLoad = cpu.stop();
    } finally {
      if (!context.stopping()) await cluster.startApp('metering-service');
    }
    if (!result) return [];
    const drained = await drain(context);
    const eventsPerSecond = ((result.statusCodes['200'] ?? 0) * BATCH_SIZE) / result.durationSeconds;
    const failed = result.errors + result.non2xx;
    return [
      {
        measured: `events/s accepted, ${CONNECTIONS} connections`,
        value: Math.round(eventsPerSecond),
        unit: 'events/s',
        details:
          `per request p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms; ${failed} failed` +
          `${failed ? ` (${JSON.stringify(result.statusCodes)})` : ''}; ${drained}. ${cpuDuringLoad}`,
      },
      ratioTo(context, 'producer', eventsPerSecond, GOAL_PRODUCER_RATIO),
    ];
  },
};
