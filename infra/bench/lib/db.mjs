// Postgres and Kafka as the bench reads them directly: how far metering's usage consumer has got, and waits.
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';

/** Runs `work` with a connected client, closed afterwards. */
export async function withClient(databaseUrl, work) {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'afternoon-bench' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Polls `check` every `everyMs` until it answers truthy; throws after `timeoutMs`. */
export async function until(check, { timeoutMs, everyMs = 250, label }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${label}`);
    await delay(everyMs);
  }
}

/** The sum over partitions of the next offset the consumer in `schema` has stored for `topic`. */
export async function storedThrough(client, schema, topic) {
  const { rows } = await client.query(
    `SELECT coalesce(sum(next_offset), 0)::text AS total FROM "${schema}".consumer_offsets WHERE topic = $1`,
    [topic],
  );
  return BigInt(rows[0].total);
}

/** The sum over partitions of the topic's end offsets. */
export async function topicEnd(admin, topic) {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, { high }) => sum + BigInt(high), 0n);
}

/**
 * Waits until the consumer in `schema` (metering's of `usage.ingest`, rating's of `usage.metered`…) has stored its
 * offsets through every record now in `topic`, or `timeoutMs` passes. Resolves with
 * {caughtUp, ms, behind}: whether it got there, the time it took or was given, and how many records it still lacked.
 */
export async function caughtUpWithTopic({ client, admin, schema, topic, timeoutMs }) {
  const started = Date.now();
  const end = await topicEnd(admin, topic);
  let stored = await storedThrough(client, schema, topic);
  while (stored < end && Date.now() - started < timeoutMs) {
    await delay(250);
    stored = await storedThrough(client, schema, topic);
  }
  return { caughtUp: stored >= end, ms: Date.now() - started, behind: Number(end - stored) };
}

/** Waits until the app in `schema` has published everything its outbox held (its events are all on their topics). */
export function outboxEmpty(client, schema, timeoutMs) {
  return until(
    async () => {
      const { rows } = await client.query(`SELECT NOT EXISTS (SELECT 1 FROM "${schema}".outbox) AS empty`);
      return rows[0].empty;
    },
    { timeoutMs, everyMs: 100, label: `the outbox of ${schema} to be published` },
  );
}

/** Whether Postgres has planner statistics for the table (autovacuum or ANALYZE), and when they were made. */
export async function statisticsOf(client, schema, table) {
  const { rows } = await client.query(
    `SELECT greatest(last_analyze, last_autoanalyze) AS analyzed_at FROM pg_stat_user_tables
      WHERE schemaname = $1 AND relname = $2`,
    [schema, table],
  );
  const at = rows[0]?.analyzed_at;
  return at ? `${table} last analyzed ${at.toISOString()}` : `${table} never analyzed (no planner statistics)`;
}

/**
 * Waits until the table was analyzed after `since` (a Postgres timestamp), or `timeoutMs` passes; resolves with
 * whether it was.
 */
export async function analyzedSince(client, schema, table, since, timeoutMs) {
  const analyzed = async () => {
    const { rows } = await client.query(
      `SELECT greatest(last_analyze, last_autoanalyze) > $3 AS analyzed FROM pg_stat_user_tables
        WHERE schemaname = $1 AND relname = $2`,
      [schema, table, since],
    );
    return rows[0]?.analyzed === true;
  };
  try {
    return await until(analyzed, { timeoutMs, label: `${table} analyzed` });
  } catch {
    return false;
  }
}

/** Waits until metering knows every customer in `ids` (customer-service's events have reached it). */
export function customersKnown(client, schema, ids, timeoutMs = 60_000) {
  return until(
    async () => {
      const { rows } = await client.query(
        `SELECT count(*)::int AS known FROM "${schema}".known_customers WHERE id = ANY($1::text[])`,
        [ids],
      );
      return rows[0].known === ids.length;
    },
    { timeoutMs, label: `metering to know ${ids.length} customers` },
  );
}

/** Waits until the meter's rollup is built for its current definition; resolves with the time it took (ms). */
export async function rollupCurrent(client, schema, meterId, timeoutMs) {
  const started = Date.now();
  await until(
    async () => {
      const { rows } = await client.query(
        `SELECT rollup_version IS NOT DISTINCT FROM definition_version AS current FROM "${schema}".meters WHERE id = $1`,
        [meterId],
      );
      return rows[0]?.current === true;
    },
    { timeoutMs, everyMs: 500, label: `the rollup of meter ${meterId}` },
  );
  return Date.now() - started;
}
