import { CreditGrantEvent } from '@afternoon/contracts/credits';
import { CustomerEvent } from '@afternoon/contracts/customers';
import { InvoiceStreamEvent } from '@afternoon/contracts/invoices';
import { SubscriptionEvent } from '@afternoon/contracts/subscriptions';
import type { SourceEvent } from '../sourceEvents';
import { type CreditGrantSubject, evolveCreditGrant } from './creditGrantSubject';
import { type CustomerSubject, evolveCustomer } from './customerSubject';
import { evolveInvoice, type InvoiceSubject } from './invoiceSubject';
import { evolveSubscription, type SubscriptionSubject } from './subscriptionSubject';

/** What the catalog folds per subject kind, to fill the payloads its source events leave out. */
export interface SubjectStates {
  customer: CustomerSubject;
  invoice: InvoiceSubject;
  subscription: SubscriptionSubject;
  credit_grant: CreditGrantSubject;
}
export type SubjectKind = keyof SubjectStates;

/** The subject whose stream an event belongs to; balance crossings have none (their event says it all). */
export interface SubjectKey {
  kind: SubjectKind;
  id: string;
}

const typesOf = (schema: { options: readonly { shape: { type: { value: string } } }[] }) =>
  new Set(schema.options.map((option) => option.shape.type.value));
const customerTypes = typesOf(CustomerEvent);
const invoiceTypes = typesOf(InvoiceStreamEvent);
const subscriptionTypes = typesOf(SubscriptionEvent);
const creditGrantTypes = typesOf(CreditGrantEvent);

export const isCustomer = (event: SourceEvent): event is CustomerEvent => customerTypes.has(event.type);
export const isInvoice = (event: SourceEvent): event is InvoiceStreamEvent => invoiceTypes.has(event.type);
export const isSubscription = (event: SourceEvent): event is SubscriptionEvent => subscriptionTypes.has(event.type);
export const isCreditGrant = (event: SourceEvent): event is CreditGrantEvent => creditGrantTypes.has(event.type);

export function subjectKeyOf(event: SourceEvent): SubjectKey | undefined {
  if (isCustomer(event)) return { kind: 'customer', id: event.data.customer_id };
  if (isInvoice(event)) return { kind: 'invoice', id: event.data.invoice_id };
  if (isSubscription(event)) return { kind: 'subscription', id: event.data.subscription_id };
  if (isCreditGrant(event)) return { kind: 'credit_grant', id: event.data.grant_id };
  return undefined;
}

/** The subject's state after `event`, from its state before (as the subject's own fold defines it). */
export function evolveSubject<K extends SubjectKind>(
  state: SubjectStates[K] | undefined,
  event: SourceEvent,
): SubjectStates[K] | undefined {
  if (isCustomer(event)) return evolveCustomer(state as CustomerSubject | undefined, event) as SubjectStates[K];
  if (isInvoice(event)) return evolveInvoice(state as InvoiceSubject | undefined, event) as SubjectStates[K];
  if (isSubscription(event))
    return evolveSubscription(state as SubscriptionSubject | undefined, event) as SubjectStates[K];
  if (isCreditGrant(event))
    return evolveCreditGrant(state as CreditGrantSubject | undefined, event) as SubjectStates[K];
  return undefined;
}
