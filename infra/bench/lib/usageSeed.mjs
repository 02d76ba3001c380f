// The usage-query scenario's data: BENCH_EVENTS events of one organization in one month (a tenth of them, 1 million
// at the default 10 million, for the customer the queries ask about), written straight into metering's
// `usage_events` with INSERT … SELECT generate_series, then a sum meter grouped by `model` created through the API,
// whose rollup the service's own builder makes from the stored events. All of it lives under the kept identity
// `bench_seed_<events>` (schemas `bench_seed_<events>_*`, topics `bench_seed_<events>.*`) and is reused by later
// runs; `bench_seed_<events>_bench.seed` says what is there and how long it took to make.
import { createCustomers, createMeter, createOrganization } from './api.mjs';
import { customersKnown, rollupCurrent, withClient } from './db.mjs';
import { withAdmin } from './kafka.mjs';
import { MODELS } from './usageRecords.mjs';

export const SEED_MONTH = { from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00Z' };
const SEED_CUSTOMERS = 10;
const CHUNK = 1_000_000;
const APP_KEYS = ['customers', 'metering', 'invoicing', 'gateway', 'bench'];

export const seedIdentity = (events) => `bench_seed_${events}`;

/** The finished seed's description, or undefined when there is none (or only a half-made one). */
export async function readSeed(client, identity) {
  const { rows } = await client.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [`"${identity}_bench".seed`]);
  if (!rows[0].present) return undefined;
  const seed = await client.query(`SELECT state FROM "${identity}_bench".seed WHERE complete`);
  return seed.rows[0]?.state;
}

/** Drops whatever an earlier, unfinished seeding under `identity` left: its schemas, topics and groups. */
export async function dropSeed({ databaseUrl, kafkaBrokers }, identity) {
  await withClient(databaseUrl, async (client) => {
    for (const key of APP_KEYS) await client.query(`DROP SCHEMA IF EXISTS "${identity}_${key}" CASCADE`);
  });
  await withAdmin(kafkaBrokers, async (admin) => {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(`${identity}.`));
    if (topics.length) await admin.deleteTopics({ topics, timeout: 30_000 });
    const { groups } = await admin.listGroups();
    const ours = groups.map((group) => group.groupId).filter((id) => id.startsWith(`${identity}.`));
    if (ours.length) await admin.deleteGroups(ours);
  });
}

/** Seeds `events` events through the running apps (which use `identity`); resolves with the seed's description. */
export async function makeSeed(context, identity, events) {
  const { cluster, baseUrl, adminToken, log } = context;
  const organization = await createOrganization(baseUrl, adminToken, `Bench seed ${events}`);
  const key = organization.keys.live;
  const customers = await createCustomers(baseUrl, key, SEED_CUSTOMERS, 'Seeded');
  const schema = cluster.app('metering-service').schema;
  return withClient(cluster.databaseUrl, async (client) => {
    await customersKnown(client, schema, customers);
    const seedStarted = Date.now();
    for (let first = 0; first < events; first += CHUNK) {
      const last = Math.min(events, first + CHUNK) - 1;
      await client.query(
        `INSERT INTO "${schema}".usage_events
           (organization_id, mode, idempotency_key, event_name, customer_id, "timestamp", properties, received_at)
         SELECT $1, 'live', 'seed-' || lpad(i::text, 9, '0'), 'api.request', ($2::text[])[i % $7 + 1],
                t.at, jsonb_build_object('tokens', i % 1000 + 1, 'model', ($6::text[])[i % $8 + 1]),
                t.at + interval '1 second'
           FROM generate_series($9::bigint, $10::bigint) AS i
          CROSS JOIN LATERAL (
            SELECT $3::timestamptz + ($4::timestamptz - $3::timestamptz) * (i::float8 / $5) AS at
          ) t`,
        [
          organization.id,
          customers,
          SEED_MONTH.from,
          SEED_MONTH.to,
          events,
          MODELS,
          customers.length,
          MODELS.length,
          first,
          last,
        ],
      );
      log(`usage-query: seeded ${(last + 1).toLocaleString('en')} of ${events.toLocaleString('en')} events`);
    }
    await client.query(`ANALYZE "${schema}".usage_events`);
    const seedSeconds = (Date.now() - seedStarted) / 1000;

    const meterCreated = Date.now();
    const meter = await createMeter(baseUrl, key, {
      code: 'tokens',
      name: 'Tokens',
      event_name: 'api.request',
      aggregation: 'sum',
      property: 'tokens',
      group_by: ['model'],
    });
    log('usage-query: meter created; waiting for its rollup');
    await rollupCurrent(client, schema, meter.id, 3_600_000);
    const rollupSeconds = (Date.now() - meterCreated) / 1000;
    const [target] = customers;
    const { rows } = await client.query(
      `SELECT count(*)::bigint::text AS events, sum((properties ->> 'tokens')::numeric)::text AS tokens
         FROM "${schema}".usage_events
        WHERE organization_id = $1 AND mode = 'live' AND customer_id = $2
          AND "timestamp" >= $3 AND "timestamp" < $4`,
      [organization.id, target, SEED_MONTH.from, SEED_MONTH.to],
    );
    const state = {
      events,
      organizationId: organization.id,
      key,
      customers,
      target,
      targetEvents: Number(rows[0].events),
      targetTokens: rows[0].tokens,
      meterCode: meter.code,
      seededAt: new Date().toISOString(),
      seedSeconds,
      rollupSeconds,
    };
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${identity}_bench"`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS "${identity}_bench".seed (complete boolean NOT NULL, state jsonb NOT NULL)`,
    );
    await client.query(`INSERT INTO "${identity}_bench".seed VALUES (true, $1)`, [state]);
    return state;
  });
}
