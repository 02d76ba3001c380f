// The machine's own limits, measured first so that every ingest row after it reads as a share of them: Kafka's
// ProducerPerformance (org.apache.kafka.tools.ProducerPerformance, from the kafka-tools jar beside the broker) with
// kafka-ingest's number and average size of records, acks=all; and psql's \copy of their distinct events into a
// table made LIKE metering's usage_events INCLUDING ALL (the same columns, primary key and indexes), in a schema of
// this run's own. Both are left in context.results.limits.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ROOT } from '../../lib/workspace.mjs';
import { withClient } from '../lib/db.mjs';
import { ingestSetup } from '../lib/ingestSetup.mjs';
import { withAdmin } from '../lib/kafka.mjs';
import { distinctCount, usageEventCsvLines, usageRecords } from '../lib/usageRecords.mjs';

function runProcess(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${command} exited ${code}: ${output.slice(-500)}`)),
    );
  });
}

async function kafkaLimit(context, count, recordBytes) {
  const { cluster } = context;
  const topic = `${cluster.runId}.bench.producer-performance`;
  await withAdmin(cluster.kafkaBrokers, (admin) =>
    admin.createTopics({ topics: [{ topic, numPartitions: 6, replicationFactor: 1 }], waitForLeaders: true }),
  );
  const java = context.env.JAVA_HOME ? join(context.env.JAVA_HOME, 'bin', 'java') : 'java';
  const output = await runProcess(java, [
    '-Xmx512m',
    '-cp',
    join(ROOT, '.local', 'kafka', 'libs', '*'),
    'org.apache.kafka.tools.ProducerPerformance',
    '--topic',
    topic,
    '--num-records',
    String(count),
    '--record-size',
    String(Math.round(recordBytes)),
    '--throughput',
    '-1',
    '--producer-props',
    `bootstrap.servers=${cluster.kafkaBrokers}`,
    'acks=all',
  ]);
  // The last summary line: "1000000 records sent, 412371.1 records/sec (118.0 MB/sec), 150.2 ms avg latency, ..."
  const summary = output
    .split('\n')
    .filter((line) => /records sent, [\d.]+ records\/sec/.test(line))
    .pop();
  if (!summary) throw new Error(`ProducerPerformance printed no summary: ${output.slice(-500)}`);
  return { recordsPerSecond: Number(/records sent, ([\d.]+) records\/sec/.exec(summary)[1]), summary: summary.trim() };
}

async function postgresLimit(context, count, recordOptions) {
  const { cluster } = context;
  const dir = mkdtempSync(join(tmpdir(), 'afternoon-bench-copy-'));
  try {
    const file = join(dir, 'usage_events.csv');
    await pipeline(usageEventCsvLines(recordOptions, count), createWriteStream(file));
    const schema = `${cluster.runId}_bench`;
    const meteringSchema = cluster.app('metering-service').schema;
    await withClient(cluster.databaseUrl, async (client) => {
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await client.query(`DROP TABLE IF EXISTS "${schema}".copy_target`);
      await client.query(`CREATE TABLE "${schema}".copy_target (LIKE "${meteringSchema}".usage_events INCLUDING ALL)`);
    });
    const columns =
      'organization_id, mode, idempotency_key, event_name, customer_id, "timestamp", properties, received_at';
    const started = Date.now();
    await runProcess('psql', [
      cluster.databaseUrl,
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      `\\copy "${schema}".copy_target (${columns}) FROM '${file}' WITH (FORMAT csv)`,
    ]);
    const seconds = (Date.now() - started) / 1000;
    const indexes = await withClient(cluster.databaseUrl, async (client) => {
      const { rows } = await client.query(
        `SELECT count(*) FILTER (WHERE tablename = 'copy_target')::int AS copy,
                count(*) FILTER (WHERE tablename = 'usage_events')::int AS usage
           FROM pg_indexes WHERE (schemaname, tablename) IN (($1, 'copy_target'), ($2, 'usage_events'))`,
        [schema, meteringSchema],
      );
      return `${rows[0].copy} indexes, primary key included (metering's usage_events: ${rows[0].usage})`;
    });
    return { rowsPerSecond: distinctCount(count) / seconds, seconds, indexes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The records kafka-ingest produces (same count, ids of the same lengths), and their average value size. */
async function sameRecords(context) {
  const { customers } = await ingestSetup(context);
  const count = Number(context.env.BENCH_KAFKA_EVENTS ?? Math.min(1_000_000, context.events));
  const recordOptions = {
    organizationId: context.organization.id,
    customers,
    keyPrefix: `k-${context.cluster.runId}`,
    receivedAt: new Date().toISOString(),
  };
  let bytes = 0;
  for (const record of usageRecords(recordOptions, count)) bytes += record.value.length;
  return { count, recordBytes: bytes / count, recordOptions };
}

/** @type {import('../scenario.mjs').MeasuredScenario} */
export default {
  id: 'machine-limits',
  title: "0. The machine's own limits",
  measures:
    "Run first. Kafka's ProducerPerformance (acks=all, 6 partitions, the producer's defaults otherwise) with " +
    "kafka-ingest's record count and average size, and a `\\copy` from psql of its distinct events (CSV) into a " +
    "table with usage_events' columns, primary key and indexes. Every ingest row after it shows its ratio to one.",
  async measure(context) {
    const { count, recordBytes, recordOptions } = await sameRecords(context);
    context.log(`${this.id}: ProducerPerformance, ${count} records of ${Math.round(recordBytes)} B`);
    const kafka = await kafkaLimit(context, count, recordBytes);
    context.log(`${this.id}: ${kafka.summary}`);
    context.log(`${this.id}: psql \\copy of ${distinctCount(count)} rows`);
    const postgres = await postgresLimit(context, count, recordOptions);
    context.results.limits = {
      copyRowsPerSecond: postgres.rowsPerSecond,
      producerRecordsPerSecond: kafka.recordsPerSecond,
    };
    return [
      {
        measured: 'Kafka ProducerPerformance records/s',
        value: Math.round(kafka.recordsPerSecond),
        unit: 'records/s',
        details: kafka.summary,
      },
      {
        measured: 'Postgres COPY rows/s into usage_events’ columns and indexes',
        value: Math.round(postgres.rowsPerSecond),
        unit: 'rows/s',
        details: `${distinctCount(count).toLocaleString('en')} rows in ${postgres.seconds.toFixed(1)} s; ${postgres.indexes}`,
      },
    ];
  },
};
