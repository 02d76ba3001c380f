// POST /v1/customers: the gateway authenticates, sends CreateCustomer to customer.commands, customer-service
// decides and commits it in one Postgres transaction, its outbox relay publishes the reply to gateway.replies, and
// the gateway answers 201. Every request creates a new customer (no external_id, so nothing conflicts).

/** @type {import('../scenario.mjs').Scenario} */
export default {
  id: 'create-customer',
  title: 'POST /v1/customers (round trip through Kafka)',
  measures:
    'One `POST /v1/customers` per request with a live key: gateway → `customer.commands` → customer-service ' +
    '(one Postgres transaction, outbox) → `gateway.replies` → 201. Each request creates a new customer.',
  connections: [1, 50],
  // Issue 17: p99 < 30 ms at 1 client; ≥ 500 requests/s with p99 < 250 ms at 50 clients.
  goals: [
    { connections: 1, p99Ms: 30 },
    { connections: 50, p99Ms: 250, requestsPerSecond: 500 },
  ],
  async prepare({ organization }) {
    return {
      method: 'POST',
      path: '/v1/customers',
      headers: { authorization: `Bearer ${organization.keys.live}`, 'content-type': 'application/json' },
      // autocannon replaces each [<id>] with a fresh id per request.
      idReplacement: true,
      body: JSON.stringify({ name: 'Bench [<id>]', email: 'bench-[<id>]@example.com' }),
    };
  },
};
