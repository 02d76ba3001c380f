import { ResourceId } from '@afternoon/contracts/common';
import type { StripeWebhookCommand } from '@afternoon/contracts/invoices';
import { StripeCustomerId, StripePaymentMethodId } from '@afternoon/contracts/paymentLinks';
import { z } from 'zod';

/*
 * A setup-mode Checkout Session the customer completed on the hosted page (https://docs.stripe.com/payments/save-and-reuse):
 * it names Stripe's customer and a SetupIntent, whose payment method is the card saved. The event carries the
 * SetupIntent as an id only, so its payment method is asked of Stripe.
 */

const Expandable = z.union([z.string(), z.object({ id: z.string() })]).nullish();

export const SetupCheckoutSession = z.object({
  mode: z.literal('setup'),
  status: z.string().nullish(),
  customer: Expandable,
  setup_intent: Expandable,
  metadata: z.record(z.string(), z.string()).nullish(),
});

/** The payment method a SetupIntent saved; null while it has none. */
export type PaymentMethodOfSetup = (setupIntentId: string) => Promise<string | null>;

/**
 * The link a completed setup session stands for: none for a session that names no Afternoon customer of this
 * organization (a setup made in Stripe for something else) or saved no card.
 */
export async function setupLinkCommands(
  object: unknown,
  organizationId: string,
  paymentMethodOfSetup: PaymentMethodOfSetup,
): Promise<StripeWebhookCommand[]> {
  const session = SetupCheckoutSession.safeParse(object);
  if (!session.success || session.data.status !== 'complete') return [];
  const { metadata } = session.data;
  if (!metadata || metadata.organization_id !== organizationId) return [];
  const customerId = ResourceId.safeParse(metadata.customer_id);
  const stripeCustomer = StripeCustomerId.safeParse(idOf(session.data.customer));
  const setupIntentId = idOf(session.data.setup_intent);
  if (!customerId.success || !stripeCustomer.success || !setupIntentId) return [];
  const paymentMethod = StripePaymentMethodId.safeParse(await paymentMethodOfSetup(setupIntentId));
  if (!paymentMethod.success) return [];
  return [
    {
      type: 'LinkCustomerPaymentProvider',
      data: {
        customer_id: customerId.data,
        provider: 'stripe',
        stripe_customer_id: stripeCustomer.data,
        default_payment_method_id: paymentMethod.data,
        source: 'checkout_setup',
      },
    },
  ];
}

function idOf(value: z.infer<typeof Expandable>): string | undefined {
  if (!value) return undefined;
  return typeof value === 'string' ? value : value.id;
}
