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

const at = (day: number) => `2026-03-${String(day).padStart(2, '0')}T10:00:00.000Z`;
const usd = { type: 'currency', code: 'usd' };
const party = { name: 'Acme Inc', email: 'billing@acme.test', billing_address: null };

/**
 * A tenant's history making every catalog type the topics can source: a customer created, changed and deleted; an
 * invoice paid (by a payment, part of it refunded), one voided, one marked uncollectible; a subscription activated, renewed and canceled; grants created,
 * voided and expired; a balance low then depleted. Also a plan invoicing publishes, which makes nothing.
 */
export function catalogScenario(tenant: SourceTenant): {
  customer: SourceEventRecord[];
  invoicing: SourceEventRecord[];
} {
  const [customerId, subscriptionId] = [newResourceId(), newResourceId()];
  const rating = sourceStream(tenant, `usage_rating-${customerId}`);
  return {
    customer: customerHistory(tenant, customerId),
    invoicing: [
      ...invoiceHistory(tenant, customerId, 'InvoicePaid'),
      ...invoiceHistory(tenant, customerId, 'InvoiceVoided'),
      ...invoiceHistory(tenant, customerId, 'InvoiceMarkedUncollectible'),
      ...subscriptionHistory(tenant, customerId, subscriptionId),
      ...grantHistory(tenant, customerId, subscriptionId, 'CreditGrantVoided'),
      ...grantHistory(tenant, customerId, subscriptionId, 'CreditGrantExpired'),
      rating('BalanceLow', {
        customer_id: customerId,
        denomination: usd,
        available: '90',
        threshold: '100',
        at: at(5),
      }),
      rating('BalanceDepleted', { customer_id: customerId, denomination: usd, at: at(6) }),
      sourceStream(tenant, 'plan-pro')('PlanCreated', { plan_code: 'pro' }),
    ],
  };
}

function customerHistory(tenant: SourceTenant, customerId: string): SourceEventRecord[] {
  const customer = sourceStream(tenant, customerId);
  return [
    customer('CustomerCreated', {
      customer_id: customerId,
      details: customerDetails('Acme'),
      test_clock: null,
      created_at: at(1),
    }),
    customer('CustomerUpdated', { customer_id: customerId, changes: { name: 'Acme Inc' }, updated_at: at(1) }),
    customer('CustomerDeleted', { customer_id: customerId, deleted_at: at(9) }),
  ];
}

function invoiceHistory(
  tenant: SourceTenant,
  customerId: string,
  ending: 'InvoicePaid' | 'InvoiceVoided' | 'InvoiceMarkedUncollectible',
): SourceEventRecord[] {
  const [id, paymentId] = [newResourceId(), newResourceId()];
  const invoice = sourceStream(tenant, id);
  return [
    invoice('InvoiceCreated', {
      invoice_id: id,
      customer_id: customerId,
      customer: party,
      terms: invoiceTerms,
      currency: 'usd',
      line_items: [manualLine('2', 1_000)],
      occurred_at: at(2),
    }),
    invoice('InvoiceFinalized', {
      invoice_id: id,
      invoice_number: `INV-${id.slice(-4)}`,
      due_date: '2026-03-16',
      public_invoice_url: `https://pay.example.com/inv/${id}`,
      customer: party,
      occurred_at: at(2),
    }),
    ...(ending === 'InvoicePaid'
      ? [invoice('InvoicePaymentFailed', failedAttempt(id)), invoice('InvoicePaymentRecorded', payment(id, paymentId))]
      : []),
    invoice(ending, {
      invoice_id: id,
      ...(ending === 'InvoicePaid' ? { amount_paid_cents: 2_000 } : {}),
      occurred_at: at(3),
    }),
    ...(ending === 'InvoicePaid' ? [invoice('InvoicePaymentRefunded', refund(id, paymentId))] : []),
  ];
}

/** The whole 2 × 1000 = 2000 paid by one bank transfer on the 3rd. */
const payment = (invoiceId: string, paymentId: string) => ({
  invoice_id: invoiceId,
  payment_id: paymentId,
  amount_cents: 2_000,
  currency: 'usd',
  method: 'bank_transfer',
  reference: 'SEPA-1',
  paid_at: at(3),
  amount_paid_cents: 2_000,
  amount_due_cents: 0,
  occurred_at: at(3),
});

/** A card declined on the 3rd, before the transfer. */
const failedAttempt = (invoiceId: string) => ({
  invoice_id: invoiceId,
  attempt_id: newResourceId(),
  amount_cents: 2_000,
  currency: 'usd',
  method: 'card',
  provider: 'stripe',
  reference: 'pi_declined',
  failure_reason: 'Your card was declined.',
  occurred_at: at(3),
});

/** 500 of it given back on the 4th: 1500 paid, 500 refunded, the invoice still paid. */
const refund = (invoiceId: string, paymentId: string) => ({
  invoice_id: invoiceId,
  refund_id: newResourceId(),
  payment_id: paymentId,
  amount_cents: 500,
  currency: 'usd',
  amount_paid_cents: 1_500,
  amount_refunded_cents: 500,
  amount_due_cents: 0,
  occurred_at: at(4),
});

/** Created, activated, renewed by its second period's invoice, canceled. */
function subscriptionHistory(tenant: SourceTenant, customerId: string, subscriptionId: string): SourceEventRecord[] {
  const subscription = sourceStream(tenant, subscriptionId);
  const renewal = newResourceId();
  return [
    subscription('SubscriptionCreated', subscriptionTerms(subscriptionId, customerId)),
    subscription('SubscriptionActivated', { subscription_id: subscriptionId, activated_at: at(1) }),
    sourceStream(tenant, renewal)('InvoiceCreated', {
      invoice_id: renewal,
      customer_id: customerId,
      customer: party,
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
  ];
}

function grantHistory(
  tenant: SourceTenant,
  customerId: string,
  subscriptionId: string,
  end: 'CreditGrantVoided' | 'CreditGrantExpired',
): SourceEventRecord[] {
  const id = newResourceId();
  const grant = sourceStream(tenant, id);
  const removed =
    end === 'CreditGrantVoided'
      ? { voided_amount: '10', voided_at: at(4) }
      : { expired_amount: '10', expired_at: at(30) };
  return [
    grant('CreditGrantCreated', {
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
    }),
    grant(end, { grant_id: id, customer_id: customerId, ...removed }),
  ];
}
