#!/usr/bin/env node
// kafkajs smoke check against the local broker (infra/kafka/kafka.sh start):
// create a 3-partition topic, produce with acks=-1 (idempotent), consume it with a consumer group,
// commit offsets, and verify the committed offsets through admin.fetchOffsets. Cleans up its topic and group.
//
//   KAFKA_BROKERS=127.0.0.1:9092 node infra/kafka/smoke.mjs     (exit 0 = passed, non-zero = failed)
import { Kafka, logLevel, Partitioners } from 'kafkajs';

const brokers = (process.env.KAFKA_BROKERS || '127.0.0.1:9092')
  .split(',')
  .map((b) => b.trim())
  .filter(Boolean);
const TIMEOUT_MS = Number(process.env.SMOKE_TIMEOUT_MS || 60_000);
const PARTITIONS = 3;
const PER_PARTITION = 10;
const TOTAL = PARTITIONS * PER_PARTITION;

const runId = `${Date.now()}-${process.pid}`;
const topic = `afternoon-smoke-${runId}`;
const groupId = `afternoon-smoke-${runId}`;

const log = (msg) => console.log(`kafka smoke: ${msg}`);
const assert = (cond, msg) => {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
};

// kafkajs logs retriable coordinator errors at ERROR before retrying them (and a consumer "crash" + restart). On a
// fresh broker the first group/producer requests meet them while __consumer_offsets is created and loaded, so by
// default those lines are dropped; anything else at WARN or above is printed. Set SMOKE_LOG_LEVEL
// (DEBUG|INFO|WARN|ERROR|NOTHING) to see every kafkajs line at that level, unfiltered.
const TRANSIENT =
  /coordinator is loading|coordinator is not available|not the correct coordinator|^Restarting the consumer/i;
const requestedLevel = logLevel[String(process.env.SMOKE_LOG_LEVEL || '').toUpperCase()];
const quietLogCreator =
  () =>
  ({ label, log: entry }) => {
    if (
      requestedLevel === undefined &&
      (TRANSIENT.test(String(entry.error ?? '')) || TRANSIENT.test(String(entry.message ?? '')))
    ) {
      return;
    }
    console.error(JSON.stringify({ level: label, ...entry }));
  };
const kafka = new Kafka({
  clientId: 'afternoon-smoke',
  brokers,
  logLevel: requestedLevel ?? logLevel.WARN,
  logCreator: quietLogCreator,
  connectionTimeout: 3000,
});
const admin = kafka.admin();
const producer = kafka.producer({
  createPartitioner: Partitioners.DefaultPartitioner,
  idempotent: true,
  maxInFlightRequests: 1,
  allowAutoTopicCreation: false,
});
const consumer = kafka.consumer({
  groupId,
  allowAutoTopicCreation: false,
  maxWaitTimeInMs: 100,
  sessionTimeout: 10_000,
  heartbeatInterval: 1000,
});

const watchdog = setTimeout(() => {
  console.error(`kafka smoke: FAILED: timed out after ${TIMEOUT_MS} ms (brokers ${brokers.join(',')})`);
  process.exit(1);
}, TIMEOUT_MS);
watchdog.unref();

let topicCreated = false;
let groupUsed = false;

async function main() {
  const t0 = Date.now();
  await admin.connect();
  const cluster = await admin.describeCluster();
  log(`connected to ${brokers.join(',')} (cluster ${cluster.clusterId}, ${cluster.brokers.length} broker(s))`);

  const created = await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
  });
  topicCreated = true;
  assert(created === true, `createTopics returned ${created}`);
  const meta = await admin.fetchTopicMetadata({ topics: [topic] });
  assert(meta.topics[0].partitions.length === PARTITIONS, `expected ${PARTITIONS} partitions`);
  log(`created topic ${topic} with ${PARTITIONS} partitions`);

  await producer.connect();
  const messages = [];
  for (let i = 0; i < TOTAL; i++) {
    messages.push({ partition: i % PARTITIONS, key: `k${i}`, value: JSON.stringify({ i, runId }) });
  }
  const produced = await producer.send({ topic, acks: -1, messages });
  assert(produced.length === PARTITIONS, `expected acks from ${PARTITIONS} partitions, got ${produced.length}`);
  for (const r of produced) assert(r.errorCode === 0, `produce error ${r.errorCode} on partition ${r.partition}`);
  log(`produced ${TOTAL} messages with acks=-1 (idempotent)`);

  const watermarks = await admin.fetchTopicOffsets(topic);
  for (const w of watermarks) {
    assert(Number(w.high) === PER_PARTITION, `partition ${w.partition} high watermark ${w.high} != ${PER_PARTITION}`);
  }

  const seen = new Map(); // partition -> last offset consumed
  const values = new Set();
  let allConsumed;
  const consumedAll = new Promise((resolve) => (allConsumed = resolve));
  groupUsed = true;
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      const body = JSON.parse(message.value.toString());
      assert(body.runId === runId, 'message from another run');
      assert(body.i % PARTITIONS === partition, `message ${body.i} landed on partition ${partition}`);
      values.add(body.i);
      seen.set(partition, Number(message.offset));
      if (values.size === TOTAL) allConsumed();
    },
  });
  await consumedAll;
  log(`consumed ${values.size} messages in group ${groupId}`);

  await consumer.commitOffsets(
    [...seen].map(([partition, offset]) => ({ topic, partition, offset: String(offset + 1) })),
  );
  const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
  const partitions = committed[0].partitions;
  assert(partitions.length === PARTITIONS, `fetchOffsets returned ${partitions.length} partitions`);
  for (const p of partitions) {
    assert(
      Number(p.offset) === PER_PARTITION,
      `partition ${p.partition} committed offset ${p.offset} != ${PER_PARTITION}`,
    );
  }
  log(
    `committed offsets verified via admin.fetchOffsets: ${partitions.map((p) => `${p.partition}:${p.offset}`).join(' ')}`,
  );
  log(`passed in ${Date.now() - t0} ms`);
}

async function cleanup() {
  await consumer.disconnect().catch(() => {});
  await producer.disconnect().catch(() => {});
  if (groupUsed) await admin.deleteGroups([groupId]).catch(() => {});
  if (topicCreated) await admin.deleteTopics({ topics: [topic], timeout: 5000 }).catch(() => {});
  await admin.disconnect().catch(() => {});
}

let failed = false;
try {
  await main();
} catch (err) {
  failed = true;
  console.error(`kafka smoke: FAILED: ${err?.stack || err}`);
} finally {
  await cleanup();
}
process.exit(failed ? 1 : 0);
