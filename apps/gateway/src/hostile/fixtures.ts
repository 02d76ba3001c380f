import { eventually, type GatewayClient, type GatewayResponse } from '@afternoon/testkit';
import { expect } from 'vitest';
import type { TestCluster, TestOrganization } from '../../test/testCluster';
import { startWebhookReceiver } from '../../test/webhookReceiver';

/** A real resource a path parameter can name, created on demand in one organization (live mode; clocks in test). */
export type Fixture =
  | 'organization'
  | 'apiKey'
  | 'customer'
  | 'meter'
  | 'plan'
  | 'subscription'
  | 'invoice'
  | 'lineItem'
  | 'testClock'
  | 'hostedToken'
  | 'pricingUnit'
  | 'creditGrant'
  | 'webhookEndpoint'
  | 'webhookDelivery'
  // Usage alerts (issue 14)
  | 'alert'
  // Invoice emails (issue 14)
  | 'emailedInvoice'
  | 'invoiceEmail'
  // Invoice payments (issue 15)
  | 'payableInvoice'
  | 'invoicePayment'
  // API reference (issue 16): a file the /docs page loads
  | 'referenceAsset';

export type Fixtures = Record<Fixture, string>;

type Builders = Record<Fixture, () => Promise<string>>;

/** The fixtures `use` reads (it is called once with placeholders to find out), each created once for `org`. */
export async function fixturesFor(cluster: TestCluster, org: TestOrganization, needed: Fixture[]): Promise<Fixtures> {
  const made = new Map<Fixture, Promise<string>>();
  const get = (fixture: Fixture): Promise<string> => {
    let value = made.get(fixture);
    if (!value) {
      value = builders[fixture]();
      made.set(fixture, value);
    }
    return value;
  };
  const builders = buildersFor(cluster, org, get);
  const values = await Promise.all(needed.map(async (fixture) => [fixture, await get(fixture)] as const));
  return Object.fromEntries(values) as Fixtures;
}

/** The fixture names `use` reads when handed a fixtures object. */
export function fixturesRead(use: (fixtures: Fixtures) => unknown): Fixture[] {
  const read = new Set<Fixture>();
  const recorder = new Proxy({} as Fixtures, {
    get: (_target, name) => {
      read.add(name as Fixture);
      return 'placeholder';
    },
  });
  use(recorder);
  return [...read];
}

function buildersFor(
  cluster: TestCluster,
  org: TestOrganization,
  get: (fixture: Fixture) => Promise<string>,
): Builders {
  const live = org.live;
  return {
    organization: async () => org.id,
    referenceAsset: async () => 'swagger-ui.css',
    apiKey: async () =>
      created(await cluster.admin.post(`/v1/admin/organizations/${org.id}/api_keys`, { mode: 'live' })).api_key.id,
    customer: async () =>
      created(await live.post('/v1/customers', { name: 'Fuzz Co', email: 'fuzz@acme.com' })).customer.id,
    meter: async () =>
      created(
        await live.post('/v1/meters', {
          code: 'api_calls',
          name: 'API calls',
          event_name: 'api_call',
          aggregation: 'count',
        }),
      ).meter.code,
    plan: async () =>
      created(
        await live.post('/v1/plans', {
          code: 'basic',
          name: 'Basic',
          interval: 'month',
          prices: [{ model: 'flat', description: 'Base fee', amount_cents: 1000, timing: 'in_arrears' }],
        }),
      ).plan.code,
    // Waits for the billing run to activate it, so no later read sees it move on its own.
    subscription: async () => {
      const body = { customer_id: await get('customer'), plan_code: await get('plan') };
      const id: string = created(await live.post('/v1/subscriptions', body)).subscription.id;
      const status = async () => ok(await live.get(`/v1/subscriptions/${id}`)).subscription.status;
      await eventually(async () => expect(await status()).toBe('active'), { label: 'fixture subscription active' });
      return id;
    },
    invoice: async () => (await draftInvoice(live, await get('customer'))).id,
    lineItem: async () => {
      const invoice = await live.get(`/v1/invoices/${await get('invoice')}`);
      return ok(invoice).invoice.line_items[0].id;
    },
    testClock: async () =>
      created(await org.test.post('/v1/test_clocks', { frozen_time: '2026-01-01T00:00:00Z' })).test_clock.id,
    pricingUnit: async () =>
      created(await live.post('/v1/pricing_units', { code: 'gpu_sec', name: 'GPU second' })).pricing_unit.code,
    creditGrant: async () => {
      const body = { name: 'Fuzz credits', amount: 1000, currency_code: 'usd' };
      return created(await live.post(`/v1/subscriptions/${await get('subscription')}/credit-grants`, body)).credit_grant
        .id;
    },
    // Its receiver answers every delivery 200 at once, so no retry is still due when a refusal's state is read.
    webhookEndpoint: async () => {
      const body = { url: (await startWebhookReceiver()).url, enabled_events: ['customer.created'] };
      return created(await live.post('/v1/webhook_endpoints', body)).webhook_endpoint.id;
    },
    // A customer created once the endpoint exists makes the event it is told of.
    webhookDelivery: async () => {
      const endpoint = await get('webhookEndpoint');
      created(await live.post('/v1/customers', { name: 'Webhook Co' }));
      const delivered = async () => {
        const [delivery] = ok(await live.get(`/v1/webhook_endpoints/${endpoint}/deliveries`)).deliveries;
        expect(delivery?.status).toBe('succeeded');
        return delivery.id as string;
      };
      return eventually(delivered, { label: 'fixture webhook delivered' });
    },
    // Usage alerts (issue 14)
    alert: async () => {
      const body = { meter_code: await get('meter'), threshold: '1000', customer_id: await get('customer') };
      return created(await live.post('/v1/alerts', body)).alert.id;
    },
    // Invoice emails (issue 14): a finalized send_invoice invoice emailed to its customer (live mode).
    emailedInvoice: async () => {
      const draft = await draftInvoice(live, await get('customer'));
      return ok(await live.post(`/v1/invoices/${draft.id}/finalize`)).invoice.id;
    },
    // Waits for its second attempt (without SMTP each fails; the next is 5 minutes later), so none comes on its own
    // while a refusal's state is read.
    invoiceEmail: async () => {
      const invoice = await get('emailedInvoice');
      const retried = async () => {
        const [email] = ok(await live.get(`/v1/invoices/${invoice}/emails`)).emails;
        expect(email?.attempts.length).toBeGreaterThanOrEqual(2);
        return email.id as string;
      };
      return eventually(retried, { timeout: 30_000, label: 'fixture invoice email attempted twice' });
    },
    ...paymentBuilders(live, get),
    hostedToken: async () => {
      const draft = await draftInvoice(live, await get('customer'));
      const finalized = ok(await live.post(`/v1/invoices/${draft.id}/finalize`));
      return new URL(finalized.invoice.public_invoice_url).pathname.replace('/inv/', '');
    },
  };
}

/** Invoice payments (issue 15): a finalized invoice of 3 × 1,000 cents with a payment of 100 on it, so 2,900 due. */
function paymentBuilders(
  live: GatewayClient,
  get: (fixture: Fixture) => Promise<string>,
): Pick<Builders, 'payableInvoice' | 'invoicePayment'> {
  return {
    payableInvoice: async () => {
      const draft = await draftInvoice(live, await get('customer'));
      return ok(await live.post(`/v1/invoices/${draft.id}/finalize`)).invoice.id;
    },
    invoicePayment: async () => {
      const body = { amount_cents: 100, method: 'cash' };
      return created(await live.post(`/v1/invoices/${await get('payableInvoice')}/payments`, body)).payment.id;
    },
  };
}

async function draftInvoice(client: GatewayClient, customerId: string): Promise<{ id: string }> {
  const response = await client.post('/v1/invoices', {
    customer_id: customerId,
    collection_method: 'send_invoice',
    days_until_due: 30,
    line_items: [{ description: 'API calls', quantity: 3, unit_amount_cents: 1000 }],
  });
  return created(response).invoice;
}

function created(response: GatewayResponse) {
  if (response.status !== 201)
    throw new Error(`fixture not created: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

function ok(response: GatewayResponse) {
  if (response.status !== 200) throw new Error(`fixture not read: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}
