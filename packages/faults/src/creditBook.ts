import pg from 'pg';
import type { FaultCluster } from './faultCluster';
import type { RunLedger, Tenant } from './ledger';
import { callUntilAnswered } from './resilientCaller';
import { postCreated } from './tenants';
import type { Finding } from './verdict';

/** Far more than the run can use: every event's cost is drawn, none is owed. */
const grantCents = 1_000_000_000_000;
const ratingDeadlineMs = 120_000;

/**
 * Subscribes each usage customer, from an hour before the load, to a plan of 1 cent per unit of `faults.call`, with
 * a currency grant: every stored event then costs exactly its units, drawn from the grant by the rating consumer.
 */
export async function openCreditBook(cluster: FaultCluster, tenant: Tenant): Promise<void> {
  const post = (path: string, body: unknown) => postCreated(cluster.baseUrl, tenant.liveKey, path, body);
  await post('/v1/meters', {
    code: 'faults_units',
    name: 'Units',
    event_name: 'faults.call',
    aggregation: 'sum',
    property: 'units',
  });
  const price = { model: 'per_unit', description: 'Units', meter_code: 'faults_units', unit_amount: '1' };
  await post('/v1/plans', { code: 'faults_units', name: 'Faults units', interval: 'month', prices: [price] });
  const startDate = new Date(Date.now() - 60 * 60 * 1000).toISOString();
  for (const customerId of tenant.customerIds) {
    const body = {
      customer_id: customerId,
      plan_code: 'faults_units',
      start_date: startDate,
      initial_status: 'active',
    };
    const { subscription } = await post('/v1/subscriptions', body);
    await post(`/v1/subscriptions/${subscription.id}/credit-grants`, {
      name: 'Faults credits',
      amount: grantCents,
      currency_code: 'usd',
    });
  }
}

/**
 * Every stored event rated once and its credits drawn once: each customer's consumed balance equals the units of
 * its stored events (1 cent a unit), and invoicing rated as many events as metering stored.
 */
export async function creditFinding(
  reader: { baseUrl: string; databaseUrl: string; ledger: RunLedger },
  tenant: Tenant,
  index: number,
): Promise<Finding> {
  const expected = await storedUnitsByCustomer(reader, tenant);
  const deadline = Date.now() + ratingDeadlineMs;
  let wrong: string[] = [];
  let rated = { events: 0, stored: 0 };
  do {
    wrong = [];
    for (const customerId of tenant.customerIds) {
      const consumed = await consumedCents(reader, tenant, customerId, deadline);
      const units = expected.get(customerId) ?? 0;
      if (consumed !== units) wrong.push(`${customerId}: consumed ${consumed} ≠ ${units}`);
    }
    rated = await ratedCount(reader.databaseUrl, tenant);
    if (wrong.length === 0 && rated.events === rated.stored) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  } while (Date.now() < deadline);
  return {
    check: `org ${index}: credits drawn once per stored event`,
    found:
      wrong.length === 0
        ? `${tenant.customerIds.length} customers exact; ${rated.events} rated of ${rated.stored} stored`
        : `${wrong.slice(0, 3).join('; ')}; ${rated.events} rated of ${rated.stored} stored`,
    holds: wrong.length === 0 && rated.events === rated.stored,
  };
}

async function storedUnitsByCustomer(reader: { databaseUrl: string }, tenant: Tenant) {
  const client = new pg.Client({ connectionString: reader.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ customer_id: string; units: string }>(
      `SELECT customer_id, coalesce(sum((properties->>'units')::int), 0)::text AS units FROM metering.usage_events
        WHERE organization_id = $1 AND mode = 'live' GROUP BY customer_id`,
      [tenant.organizationId],
    );
    return new Map(rows.map((row) => [row.customer_id, Number(row.units)]));
  } finally {
    await client.end();
  }
}

async function ratedCount(databaseUrl: string, tenant: Tenant) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ events: number; stored: number }>(
      `SELECT (SELECT count(*) FROM invoicing.rated_usage WHERE organization_id = $1 AND mode = 'live')::int AS events,
              (SELECT count(*) FROM metering.usage_events WHERE organization_id = $1 AND mode = 'live')::int AS stored`,
      [tenant.organizationId],
    );
    return rows[0] ?? { events: 0, stored: 0 };
  } finally {
    await client.end();
  }
}

async function consumedCents(
  reader: { baseUrl: string; ledger: RunLedger },
  tenant: Tenant,
  customerId: string,
  deadline: number,
): Promise<number> {
  const answer = await callUntilAnswered({
    baseUrl: reader.baseUrl,
    apiKey: tenant.liveKey,
    method: 'GET',
    path: `/v1/customers/${customerId}/balances`,
    giveUpAt: () => deadline,
    tally: reader.ledger.tally,
  });
  if (answer?.status !== 200) throw new Error(`GET balances answered ${answer?.status ?? 'nothing'}`);
  const balances = (answer.body as { balances: { denomination: { code: string }; consumed: number }[] }).balances;
  return balances.find((balance) => balance.denomination.code === 'usd')?.consumed ?? 0;
}
