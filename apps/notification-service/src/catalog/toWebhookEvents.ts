import type { BalanceDepleted, BalanceLow, CreditGrantEvent } from '@afternoon/contracts/credits';
import type { CustomerEvent } from '@afternoon/contracts/customers';
import type { InvoiceStreamEvent } from '@afternoon/contracts/invoices';
import type { SubscriptionEvent } from '@afternoon/contracts/subscriptions';
import { type WebhookPayloads, webhookCatalog } from '@afternoon/contracts/webhookCatalog';
import type { WebhookEvent, WebhookEventType } from '@afternoon/contracts/webhooks';
import type { SourceRecord } from './sourceEvents';
import { apiAmount, type CreditGrantSubject, creditGrantPayload } from './subjects/creditGrantSubject';
import { type CustomerSubject, customerPayload } from './subjects/customerSubject';
import { type InvoiceSubject, invoicePayload } from './subjects/invoiceSubject';
import { isCreditGrant, isCustomer, isInvoice, isSubscription, type SubjectStates } from './subjects/subjects';
import { type SubscriptionSubject, startedSubscription } from './subjects/subscriptionSubject';
import { webhookEventId } from './webhookEventId';

/** A catalog event of `type` with its id, its time and mode, and its payload. */
export function webhookEvent<T extends WebhookEventType>(
  type: T,
  id: string,
  source: { timestamp: string; mode: WebhookEvent['mode'] },
  data: WebhookPayloads[T],
): WebhookEvent {
  return { id, type, version: webhookCatalog[type].version, timestamp: source.timestamp, mode: source.mode, data };
}

/** Makes the catalog events of one source event: each id hashes the source event's id and the type. */
type Make = <T extends WebhookEventType>(type: T, data: WebhookPayloads[T]) => WebhookEvent;

/**
 * The catalog events a source event makes (usually one, none for what no receiver is told), given the state of
 * its subject (`subjectKeyOf`) after it. A subject the catalog has not seen (its first event missing) makes none.
 */
export function toWebhookEvents(
  source: SourceRecord,
  subject: SubjectStates[keyof SubjectStates] | undefined,
): WebhookEvent[] {
  const at = { timestamp: source.metadata.occurred_at, mode: source.metadata.mode };
  const make: Make = (type, data) => webhookEvent(type, webhookEventId(source.eventId, type), at, data);
  const { event } = source;
  if (isCustomer(event)) return subject ? customerEvents(event, subject as CustomerSubject, make) : [];
  if (isInvoice(event)) return subject ? invoiceEvents(event, subject as InvoiceSubject, make) : [];
  if (isSubscription(event)) return subscriptionEvents(event, subject as SubscriptionSubject | undefined, make);
  if (isCreditGrant(event)) return subject ? creditGrantEvents(event, subject as CreditGrantSubject, make) : [];
  return balanceEvents(event as BalanceLow | BalanceDepleted, make);
}

function customerEvents(event: CustomerEvent, customer: CustomerSubject, make: Make): WebhookEvent[] {
  const payload = customerPayload(customer);
  switch (event.type) {
    case 'CustomerCreated':
      return [make('customer.created', payload)];
    case 'CustomerUpdated': {
      const changed = Object.entries(event.data.changes).filter(([, value]) => value !== undefined);
      return [make('customer.updated', { ...payload, changed_fields: changed.map(([field]) => field) })];
    }
    case 'CustomerDeleted':
      return [make('customer.deleted', { ...payload, deleted: true, deleted_at: event.data.deleted_at })];
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

function invoiceEvents(event: InvoiceStreamEvent, invoice: InvoiceSubject, make: Make): WebhookEvent[] {
  const payload = () => invoicePayload(invoice);
  switch (event.type) {
    case 'InvoiceCreated': {
      const created = make('invoice.created', payload());
      const billing = event.data.billing;
      // The invoice of a period's end starts the next period: the one sign of a renewal on the topics.
      if (billing?.billing_reason !== 'subscription_cycle') return [created];
      const renewed = make('subscription.renewed', {
        subscription_id: billing.subscription_id,
        customer_id: event.data.customer_id,
        period_start: billing.boundary,
        invoice_id: event.data.invoice_id,
        currency: event.data.currency,
      });
      return [created, renewed];
    }
    case 'InvoiceFinalized':
      return [make('invoice.finalized', payload())];
    case 'InvoicePaid':
      return [make('invoice.paid', payload())];
    case 'InvoicePaymentRecorded': {
      const { payment_id, amount_cents, currency, method, reference, paid_at } = event.data;
      const payment = { id: payment_id, amount_cents, currency, method, reference, paid_at };
      return [make('invoice.payment_succeeded', { ...payload(), payment })];
    }
    case 'InvoicePaymentFailed': {
      const { attempt_id, amount_cents, currency, method, provider, reference, failure_reason } = event.data;
      const attempt = { id: attempt_id, amount_cents, currency, method, provider, reference, failure_reason };
      // An off-session charge's failure says which attempt it was and when the next is due (Stripe's names).
      const { attempt_count, next_payment_attempt } = event.data;
      const dunning =
        attempt_count === undefined ? {} : { attempt_count, next_payment_attempt: next_payment_attempt ?? null };
      return [make('invoice.payment_failed', { ...payload(), ...dunning, attempt })];
    }
    case 'InvoicePaymentRefunded': {
      const { refund_id, payment_id, amount_cents, currency } = event.data;
      return [
        make('invoice.payment_refunded', {
          ...payload(),
          refund: { id: refund_id, payment_id, amount_cents, currency },
        }),
      ];
    }
    case 'InvoiceVoided':
      return [make('invoice.voided', payload())];
    case 'InvoiceMarkedUncollectible':
      return [make('invoice.marked_uncollectible', payload())];
    case 'InvoiceLineItemAdded':
    case 'InvoiceLineItemUpdated':
    case 'InvoiceLineItemDeleted':
    case 'InvoiceUpdated':
    case 'InvoiceDeleted':
      return [];
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

function subscriptionEvents(
  event: SubscriptionEvent,
  subscription: SubscriptionSubject | undefined,
  make: Make,
): WebhookEvent[] {
  switch (event.type) {
    case 'SubscriptionCreated':
      // A plan change announced the subscription it made already, with the same terms.
      if (event.data.previous_subscription_id !== null) return [];
      return subscription ? [make('subscription.created', subscription)] : [];
    case 'SubscriptionUpdated':
    case 'SubscriptionActivated':
    case 'SubscriptionCancelScheduled':
      return subscription ? [make('subscription.updated', subscription)] : [];
    case 'SubscriptionPlanChanged': {
      const successor = make('subscription.created', startedSubscription(event.data.new_subscription));
      // A change now ends the old subscription now; one at its period end only schedules that (canceled then).
      const ended = event.data.canceled_at !== null ? 'subscription.canceled' : 'subscription.updated';
      return subscription ? [make(ended, subscription), successor] : [successor];
    }
    case 'SubscriptionCanceled':
      return subscription ? [make('subscription.canceled', subscription)] : [];
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

function creditGrantEvents(event: CreditGrantEvent, grant: CreditGrantSubject, make: Make): WebhookEvent[] {
  const payload = creditGrantPayload(grant);
  switch (event.type) {
    case 'CreditGrantCreated':
      return [make('credit_grant.created', payload)];
    case 'CreditGrantVoided':
      return [make('credit_grant.voided', payload)];
    case 'CreditGrantExpired':
      return [make('credit_grant.expired', payload)];
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

function balanceEvents(event: BalanceLow | BalanceDepleted, make: Make): WebhookEvent[] {
  if (event.type === 'BalanceDepleted') return [make('balance.depleted', event.data)];
  const { customer_id, denomination, available, threshold, at } = event.data;
  const amount = (decimal: string) => apiAmount(denomination, decimal);
  return [
    make('balance.low', {
      customer_id,
      denomination,
      available: amount(available),
      threshold: amount(threshold),
      at,
    }),
  ];
}
