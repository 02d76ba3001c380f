import { setTimeout as delay } from 'node:timers/promises';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { type BillingBook, billNextMonth, openBillingBook } from './billingLoad';
import { openCreditBook } from './creditBook';
import { type FaultCluster, startFaultCluster } from './faultCluster';
import { describeFault, type Fault, faultSchedule } from './faultPlan';
import { injectFault, noiseTopic } from './injectFault';
import { emptyRunLedger, type RunLedger, type Tenant } from './ledger';
import { timeToRecover, untilAppsReady, untilUsageDrained } from './quiescence';
import type { AnswerTally } from './resilientCaller';
import { seededRandom } from './seededRandom';
import { setUpTenants } from './tenants';
import { httpIngestWorker, kafkaIngestWorker, type LoadContext } from './usageLoad';
import { dataFindings, type Finding } from './verdict';
import { openWebhookBook, type WebhookBook } from './webhookBook';
import { customerWriter, invoiceWriter } from './writeLoad';

export interface FaultRunOptions {
  seed: number;
  /** How long the load runs; the faults are spread over it. */
  loadMs: number;
  /** How many times each app is killed. */
  killRounds: number;
  log(line: string): void;
}

export interface InjectedFault {
  fault: string;
  atMs: number;
  /** Undefined when the cluster did not recover within the limit (the run injects nothing more after it). */
  recoveryMs: number | undefined;
}

export interface FaultRunResult {
  findings: Finding[];
  faults: InjectedFault[];
  restarts: Map<string, number>;
  ledger: RunLedger;
  passed: boolean;
}

const tenantCount = 3;
const drainMs = 240_000;

/** Starts a cluster, loads it while injecting the seed's faults, lets it settle, and checks nothing was lost or doubled. */
export async function runFaults(options: FaultRunOptions): Promise<FaultRunResult> {
  const { log } = options;
  const cluster = await startFaultCluster(log);
  const kafka = new Kafka({
    clientId: 'afternoon-faults',
    brokers: [cluster.kafka.brokers],
    logLevel: logLevel.NOTHING,
  });
  let passed = false;
  const webhookBooks: WebhookBook[] = [];
  // Plain, like the apps' producers (ADR 0013): kafkajs's idempotent mode can acknowledge a record it never appended.
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: false,
    maxInFlightRequests: 1,
  });
  try {
    await createNoiseTopic(kafka);
    await producer.connect();
    const tenants = await setUpTenants(cluster, tenantCount, async (tenant, index) => {
      webhookBooks.push(await openWebhookBook(cluster, tenant, seededRandom(options.seed * 1_000 + 100 + index)));
    });
    for (const tenant of tenants) await openCreditBook(cluster, tenant);
    const ledger = emptyRunLedger(tenants);
    let running = true;
    let giveUpAt = Number.POSITIVE_INFINITY;
    const context = (stream: number): LoadContext => ({
      baseUrl: cluster.baseUrl,
      ledger,
      random: seededRandom(options.seed * 1_000 + stream),
      running: () => running,
      giveUpAt: () => giveUpAt,
    });
    const billed = tenants[0] as Tenant;
    const book = await openBillingBook(context(0), billed);
    log(`load: ${tenants.length} organizations, ${book.subscriptionIds.length} subscriptions on a test clock`);
    const loadStartedAt = new Date().toISOString();
    const workers = tenants.flatMap((tenant, index) => [
      httpIngestWorker(context(10 * index + 1), tenant, 0),
      httpIngestWorker(context(10 * index + 2), tenant, 1),
      kafkaIngestWorker(context(10 * index + 3), tenant, producer, 'usage.ingest'),
      customerWriter(context(10 * index + 4), tenant),
      invoiceWriter(context(10 * index + 5), tenant, 0),
      invoiceWriter(context(10 * index + 6), tenant, 1),
    ]);
    workers.push(billMonthAfterMonth(context(0), billed, book));

    const faults = await injectSchedule(cluster, billed, ledger, options);
    running = false;
    giveUpAt = Date.now() + drainMs;
    log('load stopped; letting work in flight finish');
    const loadErrors = (await Promise.allSettled(workers)).flatMap((outcome) =>
      outcome.status === 'rejected' ? [String((outcome.reason as Error)?.message ?? outcome.reason)] : [],
    );
    log(
      `work in flight finished${loadErrors.length ? ` (${loadErrors.length} workers failed)` : ''}; waiting for the cluster to settle`,
    );
    const settled = await untilAppsReady(cluster, giveUpAt)
      .then(() => untilUsageDrained(cluster, giveUpAt))
      .then(
        () => undefined,
        (error: Error) => error.message,
      );
    const findings: Finding[] = [
      everyFaultInjected(faults, options.killRounds),
      {
        check: 'the cluster settled after the load',
        found: settled ?? 'every app ready, usage drained',
        holds: settled === undefined,
      },
      {
        check: 'the load ran without a refused request',
        found: loadErrors.slice(0, 3).join('; ') || 'none refused',
        holds: loadErrors.length === 0,
      },
    ];
    const window = { from: loadStartedAt, to: new Date().toISOString() };
    const reader = { baseUrl: cluster.baseUrl, databaseUrl: cluster.postgres.url, ledger, window };
    log('checking what was stored, billed, numbered and delivered');
    if (settled === undefined) findings.push(...(await dataFindings(reader, tenants, book, webhookBooks)));
    findings.push(noServerError(ledger.tally));
    passed = findings.every((finding) => finding.holds);
    if (!passed) log(`the apps' logs are kept in ${cluster.logDir}`);
    return { findings, faults, restarts: cluster.restarts, ledger, passed };
  } catch (error) {
    throw new Error(`${(error as Error).message} (app logs in ${cluster.logDir})`);
  } finally {
    await producer.disconnect().catch(() => undefined);
    await Promise.allSettled(webhookBooks.map((webhooks) => webhooks.receiver.close()));
    await cluster.stop({ keepLogs: !passed });
  }
}

async function injectSchedule(
  cluster: FaultCluster,
  tenant: Tenant,
  ledger: RunLedger,
  options: FaultRunOptions,
): Promise<InjectedFault[]> {
  const random = seededRandom(options.seed);
  const schedule = faultSchedule(random, options.killRounds);
  const started = Date.now();
  const injected: InjectedFault[] = [];
  for (const [index, fault] of schedule.entries()) {
    const dueAt = started + ((index + 1) * options.loadMs) / (schedule.length + 1);
    await delay(Math.max(0, dueAt - Date.now()));
    const atMs = Date.now() - started;
    options.log(`fault ${index + 1}/${schedule.length} at ${(atMs / 1000).toFixed(1)} s: ${describeFault(fault)}`);
    await injectFault(cluster, fault);
    const recoveryMs = await timeToRecover(cluster, tenant, `${index}`, ledger.tally);
    injected.push({ fault: describeFault(fault), atMs, recoveryMs });
    if (recoveryMs === undefined) {
      options.log('  not recovered: no more faults');
      return injected;
    }
    options.log(`  recovered in ${(recoveryMs / 1000).toFixed(1)} s`);
  }
  await delay(Math.max(0, started + options.loadMs - Date.now()));
  return injected;
}

async function billMonthAfterMonth(context: LoadContext, tenant: Tenant, book: BillingBook): Promise<void> {
  while (context.running()) {
    await billNextMonth(context, tenant, book);
    // A month a second at most: its own rate limit, and decades of months stay far inside the clock's range.
    await delay(1_000);
  }
}

function everyFaultInjected(faults: readonly InjectedFault[], killRounds: number): Finding {
  const expected = faultSchedule(seededRandom(0), killRounds).length;
  const stuck = faults.find((fault) => fault.recoveryMs === undefined);
  return {
    check: 'every fault injected and recovered from',
    found: `${faults.length} of ${expected} injected${stuck ? `; not recovered from ${stuck.fault}` : ', all recovered'}`,
    holds: faults.length === expected && !stuck,
  };
}

function noServerError(tally: AnswerTally): Finding {
  return {
    check: 'no 500 from the gateway',
    found: `${tally.serverErrors} (${tally.unavailable} × 503, ${tally.timeouts} × 504, ${tally.noAnswer} unanswered) ${tally.serverErrorSamples.slice(0, 2).join('; ')}`,
    holds: tally.serverErrors === 0,
  };
}

async function createNoiseTopic(kafka: Kafka): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic: noiseTopic, numPartitions: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

export type { Fault };
