// Scenario 5 of the metering issue: what this machine's Kafka and Postgres do on their own with the records of
// scenario 2, so its result can be read as a share of them. Kafka: the broker's own load generator
// (org.apache.kafka.tools.ProducerPerformance, from the kafka-tools jar beside the broker) with the same number and
// size of records, acks=all. Postgres: psql's \copy of the same distinct events into a table made LIKE
// usage_events INCLUDING ALL (the same primary key and indexes), in a schema of this run's own.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ROOT } from '../../lib/workspace.mjs';
import { withClient } from '../lib/db.mjs';
import { withAdmin } from '../lib/kafka.mjs';
import { distinctCount, usageEventCsvLines } from '../lib/usageRecords.mjs';

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
    return { rowsPerSecond: distinctCount(count) / seconds, seconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** @type {import('../scenario.mjs').MeasuredScenario} */
export default {
  id: 'machine-limits',
  title: "5. The machine's own limits",
  measures:
    "Kafka's ProducerPerformance (acks=all, 6 partitions, the producer's defaults otherwise) with scenario 2's " +
    'record count and average size, and a `\\copy` from psql of its distinct events (CSV) into a table with ' +
    "usage_events' primary key and indexes. The last row is scenario 2's events/s ÷ the smaller of the two.",
  async measure(context) {
    const previous = context.results.kafkaIngest;
    if (!previous?.recordBytes) {
      context.log(`${this.id}: needs kafka-ingest in the same run (its records and their size); skipped`);
      return [];
    }
    const { count, recordBytes, recordOptions } = previous;
    context.log(`${this.id}: ProducerPerformance, ${count} records of ${Math.round(recordBytes)} B`);
    const kafka = await kafkaLimit(context, count, recordBytes);
    context.log(`${this.id}: ${kafka.summary}`);
    context.log(`${this.id}: psql \\copy of ${distinctCount(count)} rows`);
    const postgres = await postgresLimit(context, count, recordOptions);
    const limit = Math.min(kafka.recordsPerSecond, postgres.rowsPerSecond);
    const ratio = previous.eventsPerSecond / limit;
    return [
      {
        measured: 'Kafka ProducerPerformance records/s',
        value: Math.round(kafka.recordsPerSecond),
        unit: 'records/s',
        details: kafka.summary,
      },
      {
        measured: 'Postgres COPY rows/s into usage_events’ indexes',
        value: Math.round(postgres.rowsPerSecond),
        unit: 'rows/s',
        details: `${distinctCount(count).toLocaleString('en')} rows in ${postgres.seconds.toFixed(1)} s`,
      },
      {
        measured: 'scenario 2 ÷ the smaller limit',
        value: ratio,
        unit: 'ratio',
        details: `${Math.round(previous.eventsPerSecond).toLocaleString('en')} ÷ ${Math.round(limit).toLocaleString('en')} (${kafka.recordsPerSecond < postgres.rowsPerSecond ? 'Kafka' : 'Postgres'})`,
      },
    ];
  },
};
