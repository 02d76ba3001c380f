import { routeKey } from '../hostile/routeFuzz';

/** A route's example request body and answer, both as the README's quickstart sends and shows them. */
export interface RouteExample {
  request?: unknown;
  response?: unknown;
}

const customer = {
  id: 'cm5x9z8nv0000h85r7l9p2k1m',
  name: 'Acme Corp',
  email: 'billing@acme.com',
  external_id: 'cust_123',
};

/** The README's curl calls (Quickstart with curl), keyed as the route table is. */
export const readmeExamples: Record<string, RouteExample> = {
  [routeKey('POST', '/v1/customers')]: {
    request: { name: 'Acme Corp', email: 'billing@acme.com', external_id: 'cust_123' },
  },
  [routeKey('POST', '/v1/events/ingest')]: {
    request: {
      events: [
        {
          event_name: 'api.request',
          idempotency_key: 'evt_abc123xyz',
          customer_id: customer.id,
          timestamp: '2024-01-15T10:30:00Z',
          properties: { tokens: 150, model: 'gpt-4' },
        },
      ],
    },
    response: { success: true, accepted: 1, request_id: 'req_2kfyrE9bN1qAZsT4mXo8D' },
  },
  [routeKey('POST', '/v1/invoices')]: {
    request: {
      customer_id: customer.id,
      collection_method: 'send_invoice',
      days_until_due: 30,
      line_items: [{ description: 'API calls — Jan 2024', quantity: 1, unit_amount_cents: 5000 }],
    },
  },
};
