// The single-event ingest answers with what the event cost and what is left: the gateway produces the event, metering
// stores it and publishes it on usage.metered, invoicing rates it and draws the customer's credits down, and the
// gateway answers once both are done. One customer on a per-unit plan with a currency grant; every request sends a
// new idempotency key, so each is stored and rated.
import { callApi, createCustomers, createMeter } from '../lib/api.mjs';

const suffix = Date.now().toString(36);
const meterCode = `sync_calls_${suffix}`;
const planCode = `sync_plan_${suffix}`;

async function subscribedCustomer(baseUrl, key) {
  await createMeter(baseUrl, key, {
    code: meterCode,
    name: 'Sync calls',
    event_name: 'sync.call',
    aggregation: 'count',
  });
  const price = { model: 'per_unit', description: 'Calls', meter_code: meterCode, unit_amount: '0.5' };
  const plan = { code: planCode, name: 'Sync ingest', currency: 'usd', interval: 'month', prices: [price] };
  await callApi(baseUrl, key, 'POST', '/v1/plans', plan, 201);
  const [customerId] = await createCustomers(baseUrl, key, 1, 'Sync ingest');
  const startDate = new Date(Date.now() - 60 * 60 * 1000).toISOString();
  const body = { customer_id: customerId, plan_code: planCode, start_date: startDate, initial_status: 'active' };
  const { subscription } = await callApi(baseUrl, key, 'POST', '/v1/subscriptions', body, 201);
  const grant = { name: 'Bench credits', amount: 1_000_000_000, currency_code: 'usd' };
  await callApi(baseUrl, key, 'POST', `/v1/subscriptions/${subscription.id}/credit-grants`, grant, 201);
  return customerId;
}

/** @type {import('../scenario.mjs').Scenario} */
export default {
  id: 'sync-ingest',
  title: 'POST /v1/events/ingest, one event, answered with its cost and balances',
  measures:
    'One event per request in the single-event form: gateway → `usage.ingest` → metering (stored, published on ' +
    '`usage.metered`) → invoicing (rated, credits drawn) → the gateway answers `processed` with the cost and the ' +
    "customer's balances. Each request has a new idempotency key.",
  connections: [1],
  goal: { connections: 1, p99Ms: 100 },
  async prepare({ baseUrl, organization }) {
    const key = organization.keys.live;
    const customerId = await subscribedCustomer(baseUrl, key);
    return {
      method: 'POST',
      path: '/v1/events/ingest',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      idReplacement: true,
      body: JSON.stringify({
        event_name: 'sync.call',
        idempotency_key: 'sync-[<id>]',
        customer_id: customerId,
        timestamp: new Date().toISOString(),
      }),
    };
  },
};
