#!/usr/bin/env node
// Where Postgres's work goes during subscription-billing's period end. Start it beside a bench run:
//   node infra/bench/periodEndSampler.mjs [report.json]
// It waits for a bench run's invoicing to have a clock advancing to the period end; from then until it reads ready
// it polls
// pg_stat_activity every 50 ms (non-idle backends but its own), diffs pg_stat_database (the apps' database) and
// pg_stat_wal, and reads the WAL written meanwhile (pg_walinspect): every committed transaction is attributed to the
// tables it wrote (schema prefix dropped), so commits per invoice can be counted by code path.
import { writeFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';

const env = process.env;
const databaseUrl = env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/afternoon';
const out = process.argv[2];
const client = new pg.Client({ connectionString: databaseUrl, application_name: 'period-end-sampler' });
await client.connect();
await client.query('CREATE EXTENSION IF NOT EXISTS pg_walinspect');

const BILLED_AT = '2027-02-01T01:00:00Z';
const run = await advancingRun();
// Keeps the WAL written from now on until this session ends: a busy server recycles it within seconds.
await client.query('SELECT pg_create_physical_replication_slot($1, true, true)', [`period_end_sampler_${process.pid}`]);
await sample(run);
await client.end();

/** The bench run whose invoicing has a clock advancing to the period end (waits for it, polling every 50 ms). */
async function advancingRun() {
  for (;;) {
    const { rows: schemas } = await client.query(
      `SELECT table_schema FROM information_schema.tables
        WHERE table_name = 'test_clocks' AND table_schema ~ '^bench_[0-9a-f]+_invoicing$'`,
    );
    for (const { table_schema: schema } of schemas) {
      const { rows } = await client
        .query(`SELECT 1 FROM "${schema}".test_clocks WHERE status = 'advancing' AND frozen_time = $1`, [BILLED_AT])
        .catch(() => ({ rows: [] }));
      if (rows.length > 0) return schema.replace(/_invoicing$/, '');
    }
    await delay(50);
  }
}

async function snapshot() {
  const { rows: dbs } = await client.query(
    `SELECT xact_commit::bigint AS xact_commit, xact_rollback::bigint AS xact_rollback FROM pg_stat_database
      WHERE datname = current_database()`,
  );
  const { rows: wal } = await client.query(
    'SELECT wal_records, wal_fpi, wal_bytes::bigint AS wal_bytes, wal_write, wal_sync FROM pg_stat_wal',
  );
  const { rows: lsn } = await client.query('SELECT pg_current_wal_lsn()::text AS lsn');
  return { at: performance.now(), db: dbs[0], wal: wal[0], lsn: lsn[0].lsn };
}

async function sample(run) {
  const schema = `${run}_invoicing`;
  const before = await snapshot();
  const activity = new Map();
  let samples = 0;
  let active = 0;
  for (;;) {
    const turn = performance.now();
    const { rows } = await client.query(
      `SELECT application_name, backend_type, state, wait_event_type, wait_event, left(query, 110) AS query
         FROM pg_stat_activity WHERE state <> 'idle' AND pid <> pg_backend_pid()`,
    );
    samples += 1;
    for (const row of rows) {
      if (row.application_name === 'afternoon-bench') continue;
      active += 1;
      const key = [row.application_name, row.state, `${row.wait_event_type ?? ''}:${row.wait_event ?? ''}`, row.query]
        .map((part) => String(part).replace(/\s+/g, ' '))
        .join(' | ');
      activity.set(key, (activity.get(key) ?? 0) + 1);
    }
    const { rows: ready } = await client.query(
      `SELECT 1 FROM "${schema}".test_clocks WHERE status = 'ready' AND frozen_time = $1`,
      [BILLED_AT],
    );
    if (ready.length > 0) break;
    await delay(Math.max(0, 50 - (performance.now() - turn)));
  }
  const after = await snapshot();
  const names = await relationNames(run);
  const seconds = (after.at - before.at) / 1000;
  const diff = (a, b) => Object.fromEntries(Object.keys(b).map((k) => [k, Number(b[k]) - Number(a[k])]));
  const report = {
    run,
    seconds,
    samples,
    activeSamples: active,
    lsn: [before.lsn, after.lsn],
    database: diff(before.db, after.db),
    wal: diff(before.wal, after.wal),
    activity: [...activity].sort((x, y) => y[1] - x[1]).slice(0, 60),
  };
  process.stdout.write(`\n[sampler] ${JSON.stringify({ ...report, activity: undefined })}\n`);
  for (const [key, n] of report.activity.slice(0, 40)) process.stdout.write(`[sampler] active ${n}\t${key}\n`);
  if (out) writeFileSync(out, JSON.stringify(report, null, 2));
  const started = performance.now();
  const transactions = await walTransactions(before.lsn, after.lsn, names);
  report.walCommits = transactions.total;
  report.commitsByTables = transactions.byTables;
  process.stdout.write(
    `[sampler] ${transactions.total} transactions committed in the WAL (read in ${((performance.now() - started) / 1000).toFixed(0)} s)\n`,
  );
  for (const [tables, n] of report.commitsByTables) process.stdout.write(`[sampler] commits ${n}\t${tables}\n`);
  if (out) writeFileSync(out, JSON.stringify(report, null, 2));
}

/**
 * The table each relation file of the run's schemas (and the catalogs) belongs to, indexes and TOAST folded into
 * theirs, schema prefix dropped: read at once, before the bench drops the schemas.
 */
async function relationNames(run) {
  const { rows } = await client.query(
    `SELECT c.relfilenode::bigint AS filenode,
            regexp_replace(coalesce(toasted.oid, i.indrelid, c.oid)::regclass::text, '^"?' || $1 || '_', '') AS name
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_index i ON i.indexrelid = c.oid
       LEFT JOIN pg_class toasted ON toasted.reltoastrelid = coalesce(i.indrelid, c.oid)
      WHERE c.relfilenode <> 0
        AND (n.nspname LIKE $1 || '\\_%' OR n.nspname IN ('pg_catalog', 'pg_toast'))`,
    [run],
  );
  return { filenodes: rows.map((row) => row.filenode), names: rows.map((row) => row.name) };
}

/** Committed transactions between two LSNs, counted by the set of tables they wrote. */
async function walTransactions(from, to, { filenodes, names }) {
  const { rows } = await client.query(
    `WITH records AS (
       SELECT xid::text::bigint AS xid, record_type, resource_manager, block_ref
         FROM pg_get_wal_records_info($1, $2) WHERE xid <> '0'),
     committed AS (
       SELECT DISTINCT xid FROM records WHERE resource_manager = 'Transaction' AND record_type LIKE 'COMMIT%'),
     touched AS (
       SELECT DISTINCT xid, (regexp_match(block_ref, 'rel \\d+/\\d+/(\\d+)'))[1]::bigint AS filenode
         FROM records WHERE block_ref LIKE '%rel %'),
     relation AS (SELECT * FROM unnest($3::bigint[], $4::text[]) AS r(filenode, name)),
     per_xact AS (
       SELECT c.xid, coalesce(string_agg(DISTINCT coalesce(r.name, '?'), ' + '), '(no table)') AS tables
         FROM committed c
         LEFT JOIN touched t USING (xid)
         LEFT JOIN relation r USING (filenode)
        GROUP BY c.xid)
     SELECT tables, count(*)::int AS n FROM per_xact GROUP BY tables ORDER BY n DESC`,
    [from, to, filenodes, names],
  );
  return { total: rows.reduce((sum, row) => sum + row.n, 0), byTables: rows.map((row) => [row.tables, row.n]) };
}
