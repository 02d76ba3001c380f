import { z } from 'zod';
import { ResourceId } from './common';
import { Customer, UpdateCustomerBody } from './customers';

/*
 * A customer's link to the provider that charges their `charge_automatically` invoices: Stripe's customer and
 * (optionally) the payment method to charge. Kept by invoicing, one stream per customer (ADR 0021).
 */

/** A Stripe customer id, as Stripe makes them (`cus_…`). */
export const StripeCustomerId = z
  .string()
  .max(255)
  .regex(/^cus_[A-Za-z0-9]+$/, 'must be a Stripe customer id (cus_…)');
/** A Stripe PaymentMethod id (`pm_…`; Stripe's test ones read like `pm_card_visa`). */
export const StripePaymentMethodId = z
  .string()
  .max(255)
  .regex(/^pm_[A-Za-z0-9_]+$/, 'must be a Stripe payment method id (pm_…)');

/**
 * `payment_provider` of `PATCH /v1/customers/{id}`; `null` unlinks. Without a payment method, Stripe's customer's
 * own default (`invoice_settings.default_payment_method`) is charged.
 */
export const PaymentProviderLinkBody = z.strictObject({
  stripe_customer_id: StripeCustomerId,
  default_payment_method_id: StripePaymentMethodId.nullable().optional(),
});
export type PaymentProviderLinkBody = z.infer<typeof PaymentProviderLinkBody>;

/**
 * `PATCH /v1/customers/{id}`: the customer's details (customer-service) and their payment link (invoicing) in one
 * body; either may come alone.
 */
export const PatchCustomerBody = UpdateCustomerBody.extend({
  payment_provider: PaymentProviderLinkBody.nullable().optional(),
});
export type PatchCustomerBody = z.infer<typeof PatchCustomerBody>;

/** How the link was made: by the API, or (later) by a setup-mode Checkout the customer completed. */
export const PaymentLinkSource = z.enum(['api', 'checkout_setup']);
export type PaymentLinkSource = z.infer<typeof PaymentLinkSource>;

/** `payment_provider` on `GET /v1/customers/{id}`: null while the customer is not linked. */
export const CustomerPaymentProvider = z.object({
  provider: z.literal('stripe'),
  stripe_customer_id: StripeCustomerId,
  default_payment_method_id: StripePaymentMethodId.nullable(),
  source: PaymentLinkSource,
  linked_at: z.iso.datetime(),
});
export type CustomerPaymentProvider = z.infer<typeof CustomerPaymentProvider>;

/** A customer as `POST`, `GET` and `PATCH /v1/customers/{id}` answer: customer-service's details and the link. */
export const LinkedCustomer = Customer.extend({ payment_provider: CustomerPaymentProvider.nullable() });
export type LinkedCustomer = z.infer<typeof LinkedCustomer>;
export const LinkedCustomerAnswer = z.object({ customer: LinkedCustomer });
export type LinkedCustomerAnswer = z.infer<typeof LinkedCustomerAnswer>;

/** `GET /customers/{id}/payment-provider` (internal), and the link commands' result. */
export const CustomerPaymentProviderAnswer = z.object({ payment_provider: CustomerPaymentProvider.nullable() });
export type CustomerPaymentProviderAnswer = z.infer<typeof CustomerPaymentProviderAnswer>;

// Commands (on `invoice.commands`) and events (on `invoice.events`), keyed by customer

const customerId = { customer_id: ResourceId };

export const LinkCustomerPaymentProvider = z.object({
  type: z.literal('LinkCustomerPaymentProvider'),
  data: z.object({
    ...customerId,
    provider: z.literal('stripe'),
    stripe_customer_id: StripeCustomerId,
    default_payment_method_id: StripePaymentMethodId.nullable(),
    source: PaymentLinkSource,
  }),
});
export type LinkCustomerPaymentProvider = z.infer<typeof LinkCustomerPaymentProvider>;
export const UnlinkCustomerPaymentProvider = z.object({
  type: z.literal('UnlinkCustomerPaymentProvider'),
  data: z.object(customerId),
});
export type UnlinkCustomerPaymentProvider = z.infer<typeof UnlinkCustomerPaymentProvider>;

export const PaymentLinkCommand = z.discriminatedUnion('type', [
  LinkCustomerPaymentProvider,
  UnlinkCustomerPaymentProvider,
]);
export type PaymentLinkCommand = z.infer<typeof PaymentLinkCommand>;

export const CustomerPaymentProviderLinked = z.object({
  type: z.literal('CustomerPaymentProviderLinked'),
  data: LinkCustomerPaymentProvider.shape.data.extend({ occurred_at: z.iso.datetime() }),
});
export type CustomerPaymentProviderLinked = z.infer<typeof CustomerPaymentProviderLinked>;
export const CustomerPaymentProviderUnlinked = z.object({
  type: z.literal('CustomerPaymentProviderUnlinked'),
  data: z.object({ ...customerId, occurred_at: z.iso.datetime() }),
});
export type CustomerPaymentProviderUnlinked = z.infer<typeof CustomerPaymentProviderUnlinked>;

export const PaymentLinkEvent = z.discriminatedUnion('type', [
  CustomerPaymentProviderLinked,
  CustomerPaymentProviderUnlinked,
]);
export type PaymentLinkEvent = z.infer<typeof PaymentLinkEvent>;

export const paymentLinkEventWireNames = {
  CustomerPaymentProviderLinked: 'afternoon.invoicing.v1.customer_payment_provider_linked',
  CustomerPaymentProviderUnlinked: 'afternoon.invoicing.v1.customer_payment_provider_unlinked',
} as const satisfies Record<PaymentLinkEvent['type'], string>;
