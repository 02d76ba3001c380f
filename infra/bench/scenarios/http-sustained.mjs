// Issue 17's HTTP goal: the rate the system sustains for BENCH_SUSTAIN_SECONDS (60) with metering keeping up, i.e.
// every accepted event stored within 5 s of the load ending. Open loop (batches of 1,000 on a fixed schedule), so the
// gateway cannot slow the sender down: a few short probes (BENCH_PROBE_SECONDS, 10) search for the rate, starting
// from what metering stored per second under scenario 1's closed loop, then full-length runs confirm it (up to four,
// each below the rate metering stored during the one before when that fell behind). Metering stores everything before each run starts.
import { setTimeout as delay } from 'node:timers/promises';
import { caughtUpWithTopic, storedThrough, topicEnd, withClient } from '../lib/db.mjs';
import { ingestSetup } from '../lib/ingestSetup.mjs';
import { withAdmin } from '../lib/kafka.mjs';
import { ratioTo } from '../lib/limits.mjs';
import { openLoop } from '../lib/openLoop.mjs';
import { BATCH_SIZE, batchBodies } from './http-ingest.mjs';

const STORED_WITHIN_MS = 5000;
/** A run passes when at least this share of its batches was accepted (and none failed or was left unsent). */
const ACCEPTED_SHARE = 0.98;
const MAX_IN_FLIGHT = 32;
const PROBES = 4;
const CONFIRMS = 4;
const FALLBACK_RATE = 5000;
/** Issue 17: the sustained rate ≥ 0.5 × the same run's COPY rate. */
const GOAL_COPY_RATIO = 0.5;

const whole = (value) => Math.round(value).toLocaleString('en');

/** One open-loop run at `rate` events/s for `seconds`; whether metering had stored it all 5 s after it ended. */
async function run(context, target, rate, seconds, tag) {
  const { admin, client, schema, topic, customers } = target;
  const drained = await caughtUpWithTopic({
    client,
    admin,
    schema,
    topic,
    timeoutMs: context.drainTimeoutSeconds * 1000,
  });
  if (!drained.caughtUp) return { rate, seconds, ok: false, why: `${whole(drained.behind)} records left from before` };
  const intervalMs = (1000 * BATCH_SIZE) / rate;
  const batches = Math.max(1, Math.floor((seconds * 1000) / intervalMs));
  const sent = await openLoop({
    url: `${context.baseUrl}/v1/events/ingest`,
    key: context.organization.keys.live,
    body: batchBodies(customers, tag),
    intervalMs,
    batches,
    maxInFlight: MAX_IN_FLIGHT,
    stopping: context.stopping,
  });
  const end = await topicEnd(admin, topic);
  const endedAt = Date.now();
  let stored = await storedThrough(client, schema, topic);
  while (stored < end && Date.now() - endedAt < STORED_WITHIN_MS) {
    await delay(100);
    stored = await storedThrough(client, schema, topic);
  }
  const storedMs = Date.now() - endedAt;
  const accepted = sent.acks.length;
  const problems = [
    ...(sent.failures ? [`${sent.failures} failed (${sent.reasons})`] : []),
    ...(sent.skipped ? [`${sent.skipped} not sent (${MAX_IN_FLIGHT} in flight)`] : []),
    ...(accepted < ACCEPTED_SHARE * batches ? [`${accepted} of ${batches} batches accepted`] : []),
    ...(stored < end ? [`${whole(Number(end - stored))} records not stored 5 s after the load`] : []),
  ];
  return {
    rate,
    seconds,
    behind: stored < end ? Number(end - stored) : 0,
    ok: problems.length === 0 && !context.stopping(),
    why: problems.length ? problems.join(', ') : `all stored ${(storedMs / 1000).toFixed(1)} s after the load`,
  };
}

const describe = (result) =>
  `${whole(result.rate)}/s for ${result.seconds} s ${result.ok ? 'kept up' : 'fell behind'} (${result.why})`;

/** @type {import('../scenario.mjs').MeasuredScenario} */
export default {
  id: 'http-sustained',
  title: '2. HTTP ingest, sustained (open loop)',
  measures:
    '`POST /v1/events/ingest`, batches of 1,000 sent on a fixed schedule (open loop, at most 32 unanswered). A run ' +
    'keeps up when ≥ 98% of its batches are accepted, none fails, and metering has stored every accepted event ' +
    '(its stored offsets reach the topic’s end) within 5 s of the load ending. Short probes (`BENCH_PROBE_SECONDS`, ' +
    '10) search from the events/s metering stored during scenario 1; the highest rate that kept up is then run for ' +
    '`BENCH_SUSTAIN_SECONDS` (60); when that falls behind, again below the rate metering stored meanwhile (up to ' +
    'four runs). Compared with the same run’s COPY rate.',
  async measure(context) {
    const { cluster, env } = context;
    const sustainSeconds = Number(env.BENCH_SUSTAIN_SECONDS ?? 60);
    const probeSeconds = Math.min(sustainSeconds, Number(env.BENCH_PROBE_SECONDS ?? 10));
    const { customers } = await ingestSetup(context);
    const schema = cluster.app('metering-service').schema;
    const topic = `${cluster.topicPrefix}usage.ingest`;
    const tag = `u${Date.now().toString(36)}`;
    const results = await withAdmin(cluster.kafkaBrokers, (admin) =>
      withClient(cluster.databaseUrl, async (client) => {
        const target = { admin, client, schema, topic, customers };
        const seen = [];
        const start = context.results.httpIngest?.storedPerSecond || FALLBACK_RATE;
        let rate = Math.max(BATCH_SIZE, start);
        let best;
        let lowestFailing;
        for (let probe = 0; probe < PROBES && !context.stopping(); probe++) {
          context.log(`${this.id}: probe ${probe + 1} at ${whole(rate)} events/s for ${probeSeconds} s`);
          const result = await run(context, target, rate, probeSeconds, `${tag}-p${probe}`);
          context.log(`${this.id}: ${describe(result)}`);
          seen.push(result);
          if (result.ok) best = Math.max(best ?? 0, rate);
          else lowestFailing = Math.min(lowestFailing ?? rate, rate);
          rate =
            lowestFailing === undefined ? rate * 1.3 : best === undefined ? rate * 0.7 : (best + lowestFailing) / 2;
          rate = Math.max(BATCH_SIZE / 2, Math.round(rate / 100) * 100);
        }
        let confirmRate = best ?? rate;
        for (let attempt = 0; attempt < CONFIRMS && !context.stopping(); attempt++) {
          context.log(`${this.id}: confirming ${whole(confirmRate)} events/s for ${sustainSeconds} s`);
          const result = await run(context, target, confirmRate, sustainSeconds, `${tag}-c${attempt}`);
          context.log(`${this.id}: ${describe(result)}`);
          seen.push({ ...result, confirm: true });
          if (result.ok) return { seen, sustained: confirmRate };
          // Short probes miss a backlog that grows slowly: aim under the rate metering actually stored in this run.
          const storedRate = confirmRate - result.behind / sustainSeconds;
          confirmRate = Math.max(
            BATCH_SIZE / 2,
            Math.round((Math.min(storedRate, confirmRate * 0.9) * 0.9) / 100) * 100,
          );
        }
        return { seen, sustained: Number.NaN };
      }),
    );
    const { seen, sustained } = results;
    context.results.httpSustained = { eventsPerSecond: sustained };
    return [
      {
        measured: `events/s sustained for ${sustainSeconds} s, all stored within 5 s`,
        value: sustained,
        unit: 'events/s',
        details: seen.map((result) => `${result.confirm ? 'confirm' : 'probe'}: ${describe(result)}`).join('; '),
      },
      ratioTo(context, 'copy', sustained, GOAL_COPY_RATIO),
    ];
  },
};
