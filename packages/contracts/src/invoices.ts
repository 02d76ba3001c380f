import { z } from 'zod';
import { Metadata, Mode, NonBlankString, PageQuery, Pagination, ResourceId } from './common';
import { Currency } from './currencies';
import { Address } from './customers';
import { UsageGroupKey } from './meters';
import { maxPriceAmountCents } from './money';
import { LinkCustomerPaymentProvider } from './paymentLinks';
import { AfterFinalFailure, RetrySchedule } from './paymentSettings';

export const InvoiceStatus = z.enum(['draft', 'open', 'paid', 'void', 'uncollectible']);
export type InvoiceStatus = z.infer<typeof InvoiceStatus>;

export const CollectionMethod = z.enum(['send_invoice', 'charge_automatically']);
export type CollectionMethod = z.infer<typeof CollectionMethod>;

/** How money reached the merchant outside a payment provider: what the merchant records themselves. */
export const ManualPaymentMethod = z.enum(['bank_transfer', 'check', 'cash', 'other']);
export type ManualPaymentMethod = z.infer<typeof ManualPaymentMethod>;

/** How money reached the merchant: one of the manual methods, or `card` through a payment provider. */
export const PaymentMethod = z.enum([...ManualPaymentMethod.options, 'card']);
export type PaymentMethod = z.infer<typeof PaymentMethod>;

/** The payment provider that took a payment; absent on money the merchant recorded themselves. */
export const PaymentProvider = z.enum(['stripe']);
export type PaymentProvider = z.infer<typeof PaymentProvider>;

/** Up to 9 integer digits and 6 decimals: 15 significant digits, so it survives a round trip through a JS number. */
const quantityFormat = /^\d{1,9}(\.\d{1,6})?$/;

/** A positive exact decimal, given as a number or a string, kept as its canonical decimal string. */
export const Quantity = z
  .union([z.number(), z.string()])
  .transform((value) => String(value))
  .refine((value) => quantityFormat.test(value), 'must be a decimal with at most 9 digits and 6 decimal places')
  .transform(canonicalDecimal)
  .refine((value) => /[1-9]/.test(value), 'must be greater than 0');
export type Quantity = z.output<typeof Quantity>;

function canonicalDecimal(value: string): string {
  const [whole = '0', fraction = ''] = value.split('.');
  const trimmedWhole = whole.replace(/^0+(?=\d)/, '');
  const trimmedFraction = fraction.replace(/0+$/, '');
  return trimmedFraction ? `${trimmedWhole}.${trimmedFraction}` : trimmedWhole;
}

/** Non-negative: credits are not offered yet (the rounding would allow them, half away from zero). */
const UnitAmountCents = z.number().int().min(0).max(maxPriceAmountCents);
const DueDate = z.iso.date();
const DaysUntilDue = z.number().int().min(0).max(3650);

export const LineItemBody = z.strictObject({
  description: NonBlankString.trim().max(500),
  quantity: Quantity,
  unit_amount_cents: UnitAmountCents,
});
export type LineItemBody = z.infer<typeof LineItemBody>;

export const maxLineItems = 250;

/**
 * A grouped usage price shows at most this many groups on lines of their own, for its usage and again for its late
 * usage; its other groups are summed into one "N other groups" line. With at most 50 prices a plan bills at most
 * 50 × (2 × (100 + 1) + 1) + 1 = 10,151 lines, whatever the number of groups.
 */
export const maxGroupLinesPerPrice = 100;

/**
 * A subscription invoice's lines, as JSON, take at most this many bytes whenever its lines that cannot be summed
 * (fees, credits, minimums, one "other groups" line per grouped price and kind) fit in it: fewer groups get a line
 * of their own when their keys are long. It keeps the invoice's event far below Kafka's 1 MiB message limit.
 */
export const maxSubscriptionLinesBytes = 384 * 1024;

/** Checks the terms rule even when other fields are bad, so every problem is reported at once. */
function termsParsed(payload: z.core.ParsePayload): boolean {
  return (
    typeof payload.value === 'object' &&
    payload.value !== null &&
    payload.issues.every((issue) => !['collection_method', 'days_until_due'].includes(String(issue.path?.[0])))
  );
}

/** `POST /v1/invoices`. `days_until_due` is required with `send_invoice` and refused with `charge_automatically`. */
export const CreateInvoiceBody = z
  .strictObject({
    customer_id: z.string().min(1).max(255),
    collection_method: CollectionMethod,
    days_until_due: DaysUntilDue.optional(),
    due_date: DueDate.optional(),
    currency: Currency.default('usd'),
    memo: z.string().max(5000).optional(),
    metadata: Metadata.optional(),
    line_items: z.array(LineItemBody).max(maxLineItems).default([]),
  })
  .refine((body) => body.collection_method !== 'send_invoice' || body.days_until_due !== undefined, {
    path: ['days_until_due'],
    message: 'is required with send_invoice',
    when: termsParsed,
  })
  .refine((body) => body.collection_method !== 'charge_automatically' || body.days_until_due === undefined, {
    path: ['days_until_due'],
    message: 'is refused with charge_automatically',
    when: termsParsed,
  });
export type CreateInvoiceBody = z.infer<typeof CreateInvoiceBody>;

/** `PATCH /v1/invoices/{id}` on a draft: only provided fields change; `null` clears an optional one. */
export const UpdateInvoiceBody = z.strictObject({
  collection_method: CollectionMethod.optional(),
  days_until_due: DaysUntilDue.nullable().optional(),
  due_date: DueDate.nullable().optional(),
  memo: z.string().max(5000).nullable().optional(),
  metadata: Metadata.optional(),
});
export type UpdateInvoiceBody = z.infer<typeof UpdateInvoiceBody>;

/** `PATCH /v1/invoices/{id}/line_items/{line_item_id}`. */
export const UpdateLineItemBody = LineItemBody.partial();
export type UpdateLineItemBody = z.infer<typeof UpdateLineItemBody>;

/** Where a subscription line's quantity comes from: a meter's events in a time range, received in a window. */
export const LineUsage = z.object({
  meter_code: z.string(),
  /** Event timestamps in [from, to). */
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  /** Events received after this instant (exclusive); null from the first event on. */
  received_after: z.iso.datetime().nullable(),
  /** Events received up to this instant (inclusive): the invoice's cutoff for late usage. */
  received_through: z.iso.datetime(),
  /** The group's key when the meter groups usage; null for the meter's total. */
  group: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).nullable()).nullable(),
  /** On an "N other groups" line: how many groups it sums (their events are not listed line by line). */
  summed_groups: z.number().int().positive().optional(),
});
export type LineUsage = z.infer<typeof LineUsage>;

/**
 * What a line bills: a hand-written line, a plan's fee, usage, late usage of earlier periods, a minimum, a credit for
 * unused in-advance fees, or the currency credits grants gave towards rated usage (`credit_applied`, negative).
 */
export const LineItemKind = z.enum(['manual', 'fee', 'usage', 'late_usage', 'minimum', 'credit', 'credit_applied']);
export type LineItemKind = z.infer<typeof LineItemKind>;

/**
 * On the usage line of a price stated in a pricing unit: the units it charges (`quantity`, an exact decimal string, as
 * the price's model charges the line's usage) and what one unit is worth (`unit_amount` minor units of the invoice's
 * currency, exact). The line's `amount_cents` is `quantity × unit_amount`, rounded half up once.
 */
export const LinePricingUnit = z.object({
  code: z.string(),
  quantity: z.string(),
  unit_amount: z.string(),
  /**
   * Set when credits granted in the unit covered some of the line's units: `covered` of `quantity` were paid by
   * credits, `billed` = quantity − covered are the units the amount converts (`billed × unit_amount`, rounded once).
   */
  covered: z.string().optional(),
  billed: z.string().optional(),
});
export type LinePricingUnit = z.infer<typeof LinePricingUnit>;

/**
 * On a `credit_applied` line: a currency grant whose credits it applies, and how many minor units of them (negative,
 * like the line). Past `maxCreditGrantsPerLine` grants, the grants after the first 19 are summed into one entry with
 * `grant_id: null`, `name: "N other grants"` and `summed_grants: N`, so an invoice stays a message Kafka can carry.
 */
export const LineCreditGrant = z.object({
  grant_id: z.string().nullable(),
  name: z.string(),
  amount_cents: z.number().int(),
  summed_grants: z.number().int().positive().optional(),
});
export type LineCreditGrant = z.infer<typeof LineCreditGrant>;

/** A `credit_applied` line names at most this many grants, the last entry summing the rest when there are more. */
export const maxCreditGrantsPerLine = 20;

export const InvoiceLineItem = z.object({
  id: ResourceId,
  kind: LineItemKind,
  description: z.string(),
  quantity: z.number(),
  /** Null where the amount is not quantity × one unit price (tiered usage, minimums, prorated fees, credits). */
  unit_amount_cents: z.number().int().nullable(),
  amount_cents: z.number().int(),
  price_id: ResourceId.nullable(),
  period_start: z.iso.datetime().nullable(),
  period_end: z.iso.datetime().nullable(),
  meter_code: z.string().nullable(),
  /** Set on the usage lines of a price in a pricing unit only (lines stored before it read without it). */
  pricing_unit: LinePricingUnit.optional(),
  /** Set on a `credit_applied` line only: the grants it applies, largest share first in grant order. */
  credit_grants: z.array(LineCreditGrant).optional(),
});
export type InvoiceLineItem = z.infer<typeof InvoiceLineItem>;

/** Why an invoice exists: made by hand, or by a subscription at the start of its first period or at a period's end. */
export const BillingReason = z.enum(['manual', 'subscription_start', 'subscription_cycle', 'subscription_end']);
export type BillingReason = z.infer<typeof BillingReason>;

export const Invoice = z.object({
  id: ResourceId,
  customer_id: ResourceId,
  subscription_id: ResourceId.nullable(),
  billing_reason: BillingReason,
  customer_name: z.string(),
  customer_email: z.string().nullable(),
  status: InvoiceStatus,
  collection_method: CollectionMethod,
  currency: z.string(),
  invoice_number: z.string().nullable(),
  memo: z.string().nullable(),
  metadata: Metadata,
  line_items: z.array(InvoiceLineItem),
  subtotal_cents: z.number().int(),
  total_cents: z.number().int(),
  /** What the invoice's payments brought in, less what was refunded of them. */
  amount_paid_cents: z.number().int(),
  amount_due_cents: z.number().int(),
  /**
   * What was refunded of its payments. Always set by invoicing; optional only so the webhook payload, which
   * notification-service folds from the events itself, need not carry it until it follows payments.
   */
  amount_refunded_cents: z.number().int().optional(),
  days_until_due: z.number().int().nullable(),
  due_date: z.string().nullable(),
  public_invoice_url: z.string().nullable(),
  /** Off-session charges made so far (`charge_automatically`, Stripe's name); absent until the first one. */
  attempt_count: z.number().int().optional(),
  /** When the next charge is due on the customer's clock; null once none will be made. Set with `attempt_count`. */
  next_payment_attempt: z.iso.datetime().nullable().optional(),
  status_transitions: z.object({
    finalized_at: z.iso.datetime().nullable(),
    paid_at: z.iso.datetime().nullable(),
    voided_at: z.iso.datetime().nullable(),
    marked_uncollectible_at: z.iso.datetime().nullable(),
  }),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
});
export type Invoice = z.infer<typeof Invoice>;

export const DeletedInvoice = z.object({ id: ResourceId, deleted: z.literal(true) });
export type DeletedInvoice = z.infer<typeof DeletedInvoice>;

export const ListInvoicesQuery = PageQuery.extend({
  customer_id: z.string().max(255).optional(),
  subscription_id: z.string().max(255).optional(),
  status: InvoiceStatus.optional(),
}).strict();
export type ListInvoicesQuery = z.infer<typeof ListInvoicesQuery>;

export const InvoiceList = z.object({ invoices: z.array(Invoice), pagination: Pagination });
export type InvoiceList = z.infer<typeof InvoiceList>;

/** The customer as the invoice shows them; copied again at finalization. */
export const InvoiceCustomer = z.object({
  name: z.string(),
  email: z.string().nullable(),
  billing_address: Address.nullable(),
});
export type InvoiceCustomer = z.infer<typeof InvoiceCustomer>;

/** `GET /invoices/{id}` (internal): one invoice; `GET /invoices` answers an `InvoiceList`. */
export const InvoiceAnswer = z.object({ invoice: Invoice });
export type InvoiceAnswer = z.infer<typeof InvoiceAnswer>;

/**
 * `GET /public-invoices/{token}` (internal, opened by the token alone): the finalized invoice behind a hosted-invoice
 * token, whose tenant it is, and the customer as the invoice shows them.
 */
export const HostedInvoice = z.object({
  organization_id: z.string(),
  mode: Mode,
  invoice: Invoice,
  customer: InvoiceCustomer,
});
export type HostedInvoice = z.infer<typeof HostedInvoice>;

/** A line as commands and events carry it: the inputs only; a hand-written line's amount is derived. */
export const LineItem = z.object({
  id: ResourceId,
  description: z.string(),
  quantity: z.string(),
  unit_amount_cents: z.number().int(),
});
export type LineItem = z.infer<typeof LineItem>;

/** A line a subscription bills: its amount comes from the plan's price, not from quantity × a unit amount. */
export const SubscriptionLineItem = z.object({
  id: ResourceId,
  kind: LineItemKind.exclude(['manual']),
  description: z.string(),
  quantity: z.string(),
  amount_cents: z.number().int(),
  price_id: ResourceId.nullable(),
  period_start: z.iso.datetime(),
  period_end: z.iso.datetime(),
  usage: LineUsage.nullable(),
  pricing_unit: LinePricingUnit.optional(),
  credit_grants: z.array(LineCreditGrant).optional(),
});
export type SubscriptionLineItem = z.infer<typeof SubscriptionLineItem>;

/** The subscription period boundary an invoice bills; one invoice per subscription and boundary. */
export const SubscriptionBilling = z.object({
  subscription_id: ResourceId,
  boundary: z.iso.datetime(),
  billing_reason: BillingReason.exclude(['manual']),
  /** The received-at cutoff of the usage it bills; later events are left for the next invoice. Null: no usage. */
  usage_received_through: z.iso.datetime().nullable(),
});
export type SubscriptionBilling = z.infer<typeof SubscriptionBilling>;

const InvoiceTerms = z.object({
  collection_method: CollectionMethod,
  days_until_due: z.number().int().nullable(),
  due_date: z.string().nullable(),
  memo: z.string().nullable(),
  metadata: Metadata,
});
export type InvoiceTerms = z.infer<typeof InvoiceTerms>;

const invoiceId = { invoice_id: ResourceId };

// Commands (on `invoice.commands`), as sent: what the customer and the invoice number are, invoicing looks up itself.

const command = <T extends string, D extends z.ZodRawShape>(type: T, data: D) =>
  z.object({ type: z.literal(type), data: z.object({ ...invoiceId, ...data }) });

export const CreateInvoice = command('CreateInvoice', {
  customer_id: z.string(),
  terms: InvoiceTerms,
  currency: z.string(),
  line_items: z.array(LineItem),
});
export type CreateInvoice = z.infer<typeof CreateInvoice>;
export const AddInvoiceLineItem = command('AddInvoiceLineItem', { line_item: LineItem });
export type AddInvoiceLineItem = z.infer<typeof AddInvoiceLineItem>;
export const UpdateInvoiceLineItem = command('UpdateInvoiceLineItem', {
  line_item_id: z.string(),
  changes: LineItem.omit({ id: true }).partial(),
});
export type UpdateInvoiceLineItem = z.infer<typeof UpdateInvoiceLineItem>;
export const DeleteInvoiceLineItem = command('DeleteInvoiceLineItem', { line_item_id: z.string() });
export type DeleteInvoiceLineItem = z.infer<typeof DeleteInvoiceLineItem>;
export const UpdateInvoice = command('UpdateInvoice', { changes: InvoiceTerms.partial() });
export type UpdateInvoice = z.infer<typeof UpdateInvoice>;
export const DeleteInvoice = command('DeleteInvoice', {});
export type DeleteInvoice = z.infer<typeof DeleteInvoice>;
export const FinalizeInvoice = command('FinalizeInvoice', { public_invoice_url: z.url() });
export type FinalizeInvoice = z.infer<typeof FinalizeInvoice>;
/** Creates and finalizes a subscription's invoice at once; refused (CONFLICT) when that invoice already exists. */
export const BillSubscriptionPeriod = command('BillSubscriptionPeriod', {
  customer_id: ResourceId,
  billing: SubscriptionBilling,
  terms: InvoiceTerms,
  currency: z.string(),
  line_items: z.array(SubscriptionLineItem),
  public_invoice_url: z.url(),
});
export type BillSubscriptionPeriod = z.infer<typeof BillSubscriptionPeriod>;
/**
 * Marks the invoice paid, recording a payment of what is still due (method `other`). `payment_id` is made at the
 * gateway so a redelivered command records one payment; commands sent before payments were recorded lack it.
 */
export const PayInvoice = command('PayInvoice', { payment_id: ResourceId.optional() });
export type PayInvoice = z.infer<typeof PayInvoice>;
export const VoidInvoice = command('VoidInvoice', {});
export type VoidInvoice = z.infer<typeof VoidInvoice>;
export const MarkInvoiceUncollectible = command('MarkInvoiceUncollectible', {});
export type MarkInvoiceUncollectible = z.infer<typeof MarkInvoiceUncollectible>;

/** Records money received against an open or uncollectible invoice; the id is made at the gateway (idempotency). */
export const RecordInvoicePayment = command('RecordInvoicePayment', {
  payment_id: ResourceId,
  amount_cents: z.number().int().positive(),
  method: PaymentMethod,
  reference: z.string().nullable(),
  /** Null: when the command is issued. */
  paid_at: z.iso.datetime().nullable(),
  /**
   * Set when a provider took the money: the payment is then recorded whatever the invoice's status and amount due,
   * since the money has moved; what exceeds the amount due is noted as `unapplied_cents`.
   */
  provider: PaymentProvider.optional(),
  /**
   * The currency a provider took the money in (lowercase ISO 4217); absent: the invoice's. Money in another currency
   * is not the invoice's money: it is listed as a failed attempt with the reason and moves no amount.
   */
  currency: z.string().optional(),
});
export type RecordInvoicePayment = z.infer<typeof RecordInvoicePayment>;
/** Refunds some or (`amount_cents` null) all of what is left of a payment; the refund's id is made at the gateway. */
export const RefundInvoicePayment = command('RefundInvoicePayment', {
  payment_id: ResourceId,
  refund_id: ResourceId,
  amount_cents: z.number().int().positive().nullable(),
  /**
   * A provider's running total refunded of the payment (Stripe's `charge.amount_refunded`): the refund is what it
   * adds to what is already refunded, and nothing when it adds nothing. Replaces `amount_cents` when set.
   */
  refunded_total_cents: z.number().int().positive().optional(),
});
export type RefundInvoicePayment = z.infer<typeof RefundInvoicePayment>;
/** A provider's failed attempt to take a payment: listed with its reason, it changes no amount. */
export const RecordInvoicePaymentFailure = command('RecordInvoicePaymentFailure', {
  attempt_id: ResourceId,
  amount_cents: z.number().int().positive(),
  method: PaymentMethod,
  provider: PaymentProvider,
  reference: z.string().nullable(),
  failure_reason: z.string(),
});
export type RecordInvoicePaymentFailure = z.infer<typeof RecordInvoicePaymentFailure>;
/**
 * The outcome of the `attempt`th off-session charge of a `charge_automatically` invoice, sent by the billing run once
 * the provider answered. `entry_id` is the payment's id on success (the one Stripe's webhooks derive for the same
 * PaymentIntent), the failed attempt's otherwise. The organization's retry settings at the time come along, so the
 * decider can say when the next attempt is due and what follows the last.
 */
export const RecordInvoiceChargeAttempt = command('RecordInvoiceChargeAttempt', {
  attempt: z.number().int().min(1),
  entry_id: ResourceId,
  status: z.enum(['succeeded', 'failed']),
  amount_cents: z.number().int().positive(),
  provider: PaymentProvider,
  /** The PaymentIntent, when the provider made one (a declined card has one; a refused request may not). */
  reference: z.string().nullable(),
  failure_reason: z.string().nullable(),
  retry_schedule: RetrySchedule,
  after_final_failure: AfterFinalFailure,
});
export type RecordInvoiceChargeAttempt = z.infer<typeof RecordInvoiceChargeAttempt>;

export const InvoiceCommand = z.discriminatedUnion('type', [
  CreateInvoice,
  AddInvoiceLineItem,
  UpdateInvoiceLineItem,
  DeleteInvoiceLineItem,
  UpdateInvoice,
  DeleteInvoice,
  FinalizeInvoice,
  BillSubscriptionPeriod,
  PayInvoice,
  VoidInvoice,
  MarkInvoiceUncollectible,
  RecordInvoicePayment,
  RefundInvoicePayment,
  RecordInvoicePaymentFailure,
  RecordInvoiceChargeAttempt,
]);
export type InvoiceCommand = z.infer<typeof InvoiceCommand>;

// Events (on `invoice.events`), each with its versioned wire name beside its schema

const event = <T extends string, D extends z.ZodRawShape>(type: T, data: D) =>
  z.object({ type: z.literal(type), data: z.object({ ...invoiceId, ...data, occurred_at: z.iso.datetime() }) });

export const InvoiceCreated = event('InvoiceCreated', {
  customer_id: ResourceId,
  customer: InvoiceCustomer,
  terms: InvoiceTerms,
  currency: z.string(),
  line_items: z.array(LineItem),
  /** Present on a subscription's invoice, whose lines are `subscription_line_items` instead. */
  billing: SubscriptionBilling.optional(),
  subscription_line_items: z.array(SubscriptionLineItem).optional(),
});
export type InvoiceCreated = z.infer<typeof InvoiceCreated>;
export const InvoiceLineItemAdded = event('InvoiceLineItemAdded', { line_item: LineItem });
export type InvoiceLineItemAdded = z.infer<typeof InvoiceLineItemAdded>;
export const InvoiceLineItemUpdated = event('InvoiceLineItemUpdated', { line_item: LineItem });
export type InvoiceLineItemUpdated = z.infer<typeof InvoiceLineItemUpdated>;
export const InvoiceLineItemDeleted = event('InvoiceLineItemDeleted', { line_item_id: ResourceId });
export type InvoiceLineItemDeleted = z.infer<typeof InvoiceLineItemDeleted>;
export const InvoiceUpdated = event('InvoiceUpdated', { changes: InvoiceTerms.partial() });
export type InvoiceUpdated = z.infer<typeof InvoiceUpdated>;
export const InvoiceDeleted = event('InvoiceDeleted', {});
export type InvoiceDeleted = z.infer<typeof InvoiceDeleted>;
export const InvoiceFinalized = event('InvoiceFinalized', {
  invoice_number: z.string(),
  due_date: z.string().nullable(),
  public_invoice_url: z.url(),
  customer: InvoiceCustomer,
});
export type InvoiceFinalized = z.infer<typeof InvoiceFinalized>;
export const InvoicePaid = event('InvoicePaid', { amount_paid_cents: z.number().int() });
export type InvoicePaid = z.infer<typeof InvoicePaid>;
export const InvoiceVoided = event('InvoiceVoided', {});
export type InvoiceVoided = z.infer<typeof InvoiceVoided>;
export const InvoiceMarkedUncollectible = event('InvoiceMarkedUncollectible', {});
export type InvoiceMarkedUncollectible = z.infer<typeof InvoiceMarkedUncollectible>;

export const InvoiceEvent = z.discriminatedUnion('type', [
  InvoiceCreated,
  InvoiceLineItemAdded,
  InvoiceLineItemUpdated,
  InvoiceLineItemDeleted,
  InvoiceUpdated,
  InvoiceDeleted,
  InvoiceFinalized,
  InvoicePaid,
  InvoiceVoided,
  InvoiceMarkedUncollectible,
]);
export type InvoiceEvent = z.infer<typeof InvoiceEvent>;

export const invoiceEventWireNames = {
  InvoiceCreated: 'afternoon.invoicing.v1.invoice_created',
  InvoiceLineItemAdded: 'afternoon.invoicing.v1.invoice_line_item_added',
  InvoiceLineItemUpdated: 'afternoon.invoicing.v1.invoice_line_item_updated',
  InvoiceLineItemDeleted: 'afternoon.invoicing.v1.invoice_line_item_deleted',
  InvoiceUpdated: 'afternoon.invoicing.v1.invoice_updated',
  InvoiceDeleted: 'afternoon.invoicing.v1.invoice_deleted',
  InvoiceFinalized: 'afternoon.invoicing.v1.invoice_finalized',
  InvoicePaid: 'afternoon.invoicing.v1.invoice_paid',
  InvoiceVoided: 'afternoon.invoicing.v1.invoice_voided',
  InvoiceMarkedUncollectible: 'afternoon.invoicing.v1.invoice_marked_uncollectible',
} as const satisfies Record<InvoiceEvent['type'], string>;

/**
 * Money recorded on an invoice, on the invoice's stream and `invoice.events`. Kept apart from `InvoiceEvent` so the
 * consumers that fold invoices today skip them until they follow payments. Each carries the invoice's totals after it.
 */
export const InvoicePaymentRecorded = event('InvoicePaymentRecorded', {
  payment_id: ResourceId,
  amount_cents: z.number().int().positive(),
  currency: z.string(),
  method: PaymentMethod,
  reference: z.string().nullable(),
  paid_at: z.iso.datetime(),
  amount_paid_cents: z.number().int(),
  amount_due_cents: z.number().int(),
  provider: PaymentProvider.optional(),
  /** What a provider's payment brought beyond the amount due (kept until overpayments become credit). */
  unapplied_cents: z.number().int().positive().optional(),
  /** Set on an off-session charge's payment: which attempt took it. */
  attempt_count: z.number().int().positive().optional(),
});
export type InvoicePaymentRecorded = z.infer<typeof InvoicePaymentRecorded>;
/** `amount_cents` is what was given back (positive); the list shows the refund as a negative entry. */
export const InvoicePaymentRefunded = event('InvoicePaymentRefunded', {
  refund_id: ResourceId,
  payment_id: ResourceId,
  amount_cents: z.number().int().positive(),
  currency: z.string(),
  amount_paid_cents: z.number().int(),
  amount_refunded_cents: z.number().int(),
  amount_due_cents: z.number().int(),
});
export type InvoicePaymentRefunded = z.infer<typeof InvoicePaymentRefunded>;
/** A provider could not take a payment; no amount changes. */
export const InvoicePaymentFailed = event('InvoicePaymentFailed', {
  attempt_id: ResourceId,
  amount_cents: z.number().int().positive(),
  currency: z.string(),
  method: PaymentMethod,
  provider: PaymentProvider,
  reference: z.string().nullable(),
  failure_reason: z.string(),
  /** Set on an off-session charge's failure: which attempt it was, and when the next is due (null: none). */
  attempt_count: z.number().int().positive().optional(),
  next_payment_attempt: z.iso.datetime().nullable().optional(),
});
export type InvoicePaymentFailed = z.infer<typeof InvoicePaymentFailed>;

export const InvoicePaymentEvent = z.discriminatedUnion('type', [
  InvoicePaymentRecorded,
  InvoicePaymentRefunded,
  InvoicePaymentFailed,
]);
export type InvoicePaymentEvent = z.infer<typeof InvoicePaymentEvent>;

export const invoicePaymentEventWireNames = {
  InvoicePaymentRecorded: 'afternoon.invoicing.v1.invoice_payment_recorded',
  InvoicePaymentRefunded: 'afternoon.invoicing.v1.invoice_payment_refunded',
  InvoicePaymentFailed: 'afternoon.invoicing.v1.invoice_payment_failed',
} as const satisfies Record<InvoicePaymentEvent['type'], string>;

/** Every event of an invoice's stream: its lifecycle and its payments. */
export const InvoiceStreamEvent = z.discriminatedUnion('type', [
  ...InvoiceEvent.options,
  ...InvoicePaymentEvent.options,
]);
export type InvoiceStreamEvent = z.infer<typeof InvoiceStreamEvent>;

export const invoiceStreamEventWireNames = {
  ...invoiceEventWireNames,
  ...invoicePaymentEventWireNames,
} as const satisfies Record<InvoiceStreamEvent['type'], string>;

/** `POST /v1/invoices/{id}/payments`. `reference` is required with `bank_transfer`; `paid_at` defaults to now. */
export const RecordPaymentBody = z
  .strictObject({
    amount_cents: z.number().int().positive(),
    /** Card payments come only through a provider (Stripe's webhooks). */
    method: ManualPaymentMethod,
    reference: NonBlankString.trim().max(500).optional(),
    /** Kept in UTC: `2026-01-05T10:30:00+01:00` becomes `2026-01-05T09:30:00.000Z`. */
    paid_at: z.iso
      .datetime({ offset: true })
      .transform((value) => new Date(value).toISOString())
      .pipe(z.iso.datetime({ message: 'must be a date-time in the years 0000 to 9999 (UTC)' }))
      .optional(),
  })
  .refine((body) => body.method !== 'bank_transfer' || body.reference !== undefined, {
    path: ['reference'],
    message: 'is required with bank_transfer',
    when: (payload) =>
      typeof payload.value === 'object' &&
      payload.value !== null &&
      payload.issues.every((issue) => !['method', 'reference'].includes(String(issue.path?.[0]))),
  });
export type RecordPaymentBody = z.infer<typeof RecordPaymentBody>;

/** `POST /v1/invoices/{id}/payments/{payment_id}/refund`: `amount_cents` defaults to what is left of the payment. */
export const RefundPaymentBody = z.strictObject({ amount_cents: z.number().int().positive().optional() });
export type RefundPaymentBody = z.infer<typeof RefundPaymentBody>;

/**
 * One entry of an invoice's payments: a payment (positive) or a refund of one (negative, `refund_of` naming it).
 * A provider's failed attempt is a `failed` payment with its `failure_reason`; it counts in no amount.
 */
export const InvoicePayment = z.object({
  id: ResourceId,
  invoice_id: ResourceId,
  kind: z.enum(['payment', 'refund']),
  amount_cents: z.number().int(),
  currency: z.string(),
  method: PaymentMethod,
  reference: z.string().nullable(),
  status: z.enum(['succeeded', 'failed']),
  failure_reason: z.string().nullable(),
  /** When the money moved: received for a payment, given back for a refund. */
  paid_at: z.iso.datetime(),
  /** On a payment: how much of it was refunded. */
  refunded_cents: z.number().int().optional(),
  /** On a refund: the payment it gives back. */
  refund_of: ResourceId.optional(),
  /** The provider that took (or failed to take) it. */
  provider: PaymentProvider.optional(),
  /** On a provider's payment: what it brought beyond the amount due. */
  unapplied_cents: z.number().int().positive().optional(),
  created_at: z.iso.datetime(),
});
export type InvoicePayment = z.infer<typeof InvoicePayment>;

/** `GET /invoices/{id}/payments` (internal) and `GET /v1/invoices/{id}/payments`: oldest first. */
export const InvoicePaymentList = z.object({ payments: z.array(InvoicePayment) });
export type InvoicePaymentList = z.infer<typeof InvoicePaymentList>;

/** What recording a payment answers: the payment and the invoice after it. */
export const InvoicePaymentAnswer = z.object({ payment: InvoicePayment, invoice: Invoice });
export type InvoicePaymentAnswer = z.infer<typeof InvoicePaymentAnswer>;

/** What a refund answers: the refund's entry and the invoice after it. */
export const InvoiceRefundAnswer = z.object({ refund: InvoicePayment, invoice: Invoice });
export type InvoiceRefundAnswer = z.infer<typeof InvoiceRefundAnswer>;

/** An invoice's payments as a read model stores them: at most this many entries, payments and refunds together. */
export const maxPaymentsPerInvoice = 100;

/** `GET /v1/invoices/{id}/line_items/{line_item_id}/events`: pages of the events a usage line billed, oldest first. */
export const LineItemEventsQuery = PageQuery.extend({
  limit: z.coerce.number().int().min(1).max(500).default(50),
}).strict();
export type LineItemEventsQuery = z.infer<typeof LineItemEventsQuery>;

/** `GET /invoices/{id}/line-items/{line_item_id}/usage` (internal): whose events, of which meter, a line billed. */
export const LineItemUsageWindow = z.object({
  invoice_id: ResourceId,
  line_item_id: ResourceId,
  customer_id: ResourceId,
  usage: LineUsage,
});
export type LineItemUsageWindow = z.infer<typeof LineItemUsageWindow>;

/**
 * One line as a plan's prices bill it; `price_id` is null on the plan's minimum commitment line. `group` is set on a
 * grouped meter's line of one group, `summed_groups` on the line summing the groups that get no line of their own.
 */
export const BilledLine = z.object({
  kind: LineItemKind.exclude(['manual']),
  price_id: ResourceId.nullable(),
  description: z.string(),
  /** Usage as an exact decimal string, or "1" for a fee. */
  quantity: z.string(),
  amount_cents: z.number().int(),
  period_start: z.iso.datetime(),
  period_end: z.iso.datetime(),
  meter_code: z.string().optional(),
  group: UsageGroupKey.optional(),
  summed_groups: z.number().int().positive().optional(),
  pricing_unit: LinePricingUnit.optional(),
  credit_grants: z.array(LineCreditGrant).optional(),
});
export type BilledLine = z.infer<typeof BilledLine>;

/** One line of an invoice that is not issued yet: a billed line without its groups' bookkeeping. */
export const InvoicePreviewLine = BilledLine.omit({ group: true, summed_groups: true });
export type InvoicePreviewLine = z.infer<typeof InvoicePreviewLine>;

/** `GET /v1/subscriptions/{id}/upcoming_invoice`: what the current period would bill if it ended now. */
export const UpcomingInvoice = z.object({
  subscription_id: ResourceId,
  customer_id: ResourceId,
  currency: z.string(),
  period_start: z.iso.datetime(),
  period_end: z.iso.datetime(),
  lines: z.array(InvoicePreviewLine),
  subtotal_cents: z.number().int().min(0),
  total_cents: z.number().int().min(0),
  /** Every usage event received before this instant is counted; null when no usage was read. */
  usage_processed_through: z.iso.datetime().nullable(),
});
export type UpcomingInvoice = z.infer<typeof UpcomingInvoice>;

/** `GET /subscriptions/{id}/upcoming-invoice` (internal). */
export const UpcomingInvoiceAnswer = z.object({ upcoming_invoice: UpcomingInvoice });
export type UpcomingInvoiceAnswer = z.infer<typeof UpcomingInvoiceAnswer>;

/**
 * A Stripe Checkout Session opened for what an invoice had due, so the hosted page's Pay button reuses it while it is
 * open and the amount due is unchanged. On a stream of its own per invoice (`invoice_checkout-<invoice>`), published
 * on `invoice.events`; kept out of `InvoiceStreamEvent` so the invoice's decider and its consumers need not know it.
 */
export const InvoiceCheckoutSessionCreated = event('InvoiceCheckoutSessionCreated', {
  provider: z.literal('stripe'),
  session_id: z.string(),
  url: z.url(),
  amount_cents: z.number().int().positive(),
  currency: z.string(),
  expires_at: z.iso.datetime(),
  /** What the session was created with at Stripe: a retried request with it gets the same session back. */
  idempotency_key: z.string(),
});
export type InvoiceCheckoutSessionCreated = z.infer<typeof InvoiceCheckoutSessionCreated>;

export const InvoiceCheckoutEvent = z.discriminatedUnion('type', [InvoiceCheckoutSessionCreated]);
export type InvoiceCheckoutEvent = z.infer<typeof InvoiceCheckoutEvent>;

export const invoiceCheckoutEventWireNames = {
  InvoiceCheckoutSessionCreated: 'afternoon.invoicing.v1.invoice_checkout_session_created',
} as const satisfies Record<InvoiceCheckoutEvent['type'], string>;

/** A checkout session as the gateway gets it, to send the customer to `url`. */
export const CheckoutSession = z.object({
  id: z.string(),
  provider: z.literal('stripe'),
  url: z.url(),
  amount_cents: z.number().int().positive(),
  currency: z.string(),
  expires_at: z.iso.datetime(),
});
export type CheckoutSession = z.infer<typeof CheckoutSession>;

/** `POST /public-invoices/{token}/checkout-session` (internal): the open session for what the invoice has due. */
export const CheckoutSessionAnswer = z.object({ checkout_session: CheckoutSession });
export type CheckoutSessionAnswer = z.infer<typeof CheckoutSessionAnswer>;

/**
 * `POST /stripe-webhooks/{organization_id}` (internal): a Stripe delivery exactly as received, the body in base64 so
 * the signed bytes reach invoicing unchanged.
 */
export const StripeWebhookDelivery = z.strictObject({
  payload_base64: z.base64().max(1_500_000),
  signature: z.string().max(10_000),
});
export type StripeWebhookDelivery = z.infer<typeof StripeWebhookDelivery>;

/** The invoice commands (and a customer's payment link) a verified Stripe event stands for (none when it is of a type Afternoon ignores). */
export const StripeWebhookCommand = z.discriminatedUnion('type', [
  RecordInvoicePayment.pick({ type: true, data: true }),
  RefundInvoicePayment.pick({ type: true, data: true }),
  RecordInvoicePaymentFailure.pick({ type: true, data: true }),
  LinkCustomerPaymentProvider,
]);
export type StripeWebhookCommand = z.infer<typeof StripeWebhookCommand>;

/** What invoicing answers for a delivery whose signature holds: the mode it was signed for and what to send. */
export const StripeWebhookAnswer = z.object({
  event_id: z.string(),
  event_type: z.string(),
  mode: Mode,
  commands: z.array(StripeWebhookCommand),
});
export type StripeWebhookAnswer = z.infer<typeof StripeWebhookAnswer>;
