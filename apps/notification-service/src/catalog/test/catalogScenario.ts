import { newResourceId } from '@afternoon/service-kit';
import {
  customerDetails,
  invoiceTerms,
  manualLine,
  type SourceEventRecord,
  type SourceTenant,
  sourceStream,
  subscriptionTerms,
} from './sourceRecords';

/**
 * A tenant's history making every catalog type the topics can source: a customer created, changed and deleted; an
 * invoice paid, one voided, one marked uncollectible; a subscription activated, renewed and canceled; grants created,
 * voided and expired; a balance low then depleted. Also a plan invoicing publishes, which makes nothing.
 */
export function catalogScenario(tenant: SourceTenant): {
  customer: SourceEventRecord[];
  invoicing: SourceEventRecord[];
} {
  const [customerId, subscriptionId] = [newResourceId(), newResourceId()];
  const customer = sourceStream(tenant, customerId);
  const customerRecords = [
    customer('CustomerCreated', {
      customer_id: customerId,
      details: customerDetails('Acme'),
      test_clock: null,
      created_at: '2026-03-01T09:00:00.000Z',
    }),
    customer('CustomerUpdated', {
      customer_id: customerId,
      changes: { name: 'Acme Inc' },
      updated_at: '2026-03-01T09:30:00.000Z',
    }),
    customer('CustomerDeleted', { customer_id: customerId, deleted_at: '2026-03-09T00:00:00.000Z' }),
  ];
  const at = (day: number) => `2026-03-${String(day).padStart(2, '0')}T10:00:00.000Z`;
  const invoice = (ending: 'InvoicePaid' | 'InvoiceVoided' | 'InvoiceMarkedUncollectible') => {
    const id = newResourceId();
    const stream = sourceStream(tenant, id);
    const party = { name: 'Acme Inc', email: 'billing@acme.test', billing_address: null };
    return [
      stream('InvoiceCreated', {
        invoice_id: id,
        customer_id: customerId,
        customer: party,
        terms: invoiceTerms,
        currency: 'usd',
        line_items: [manualLine('2', 1_000)],
        occurred_at: at(2),
      }),
      stream('InvoiceFinalized', {
        invoice_id: id,
        invoice_number: `INV-${id.slice(-4)}`,
        due_date: '2026-03-16',
        public_invoice_url: `https://pay.example.com/inv/${id}`,
        customer: party,
        occurred_at: at(2),
      }),
      stream(ending, {
        invoice_id: id,
        ...(ending === 'InvoicePaid' ? { amount_paid_cents: 2_000 } : {}),
        occurred_at: at(3),
      }),
    ];
  };
  const subscription = sourceStream(tenant, subscriptionId);
  const renewal = newResourceId();
  const grant = (id: string, end: 'CreditGrantVoided' | 'CreditGrantExpired') => {
    const stream = sourceStream(tenant, id);
    const usd = { type: 'currency', code: 'usd' };
    const created = stream('CreditGrantCreated', {
      grant_id: id,
      subscription_id: subscriptionId,
      customer_id: customerId,
      name: 'Credits',
      amount: '1000',
      denomination: usd,
      priority: 0,
      effective_at: at(1),
      expires_at: at(30),
      metadata: {},
      created_at: at(1),
    });
    const amount =
      end === 'CreditGrantVoided'
        ? { voided_amount: '10', voided_at: at(4) }
        : { expired_amount: '10', expired_at: at(30) };
    return [created, stream(end, { grant_id: id, customer_id: customerId, ...amount })];
  };
  const rating = sourceStream(tenant, `usage_rating-${customerId}`);
  const usd = { type: 'currency', code: 'usd' };
  const invoicingRecords = [
    ...invoice('InvoicePaid'),
    ...invoice('InvoiceVoided'),
    ...invoice('InvoiceMarkedUncollectible'),
    subscription('SubscriptionCreated', subscriptionTerms(subscriptionId, customerId)),
    subscription('SubscriptionActivated', { subscription_id: subscriptionId, activated_at: at(1) }),
    sourceStream(tenant, renewal)('InvoiceCreated', {
      invoice_id: renewal,
      customer_id: customerId,
      customer: { name: 'Acme Inc', email: null, billing_address: null },
      terms: invoiceTerms,
      currency: 'usd',
      line_items: [],
      billing: {
        subscription_id: subscriptionId,
        boundary: at(8),
        billing_reason: 'subscription_cycle',
        usage_received_through: null,
      },
      subscription_line_items: [],
      occurred_at: at(8),
    }),
    subscription('SubscriptionCanceled', { subscription_id: subscriptionId, refund_policy: null, canceled_at: at(9) }),
    ...grant(newResourceId(), 'CreditGrantVoided'),
    ...grant(newResourceId(), 'CreditGrantExpired'),
    rating('BalanceLow', { customer_id: customerId, denomination: usd, available: '90', threshold: '100', at: at(5) }),
    rating('BalanceDepleted', { customer_id: customerId, denomination: usd, at: at(6) }),
    sourceStream(tenant, 'plan-pro')('PlanCreated', { plan_code: 'pro' }),
  ];
  return { customer: customerRecords, invoicing: invoicingRecords };
}
