import type { CustomerPaymentProvider, PaymentLinkEvent } from '@afternoon/contracts/paymentLinks';

/** A customer's link to the provider that charges them: none yet, linked, or unlinked since. */
export type PaymentLinkState = { status: 'unlinked' } | { status: 'linked'; link: CustomerPaymentProvider };

export function initialState(): PaymentLinkState {
  return { status: 'unlinked' };
}

export function evolve(_state: PaymentLinkState, event: PaymentLinkEvent): PaymentLinkState {
  switch (event.type) {
    case 'CustomerPaymentProviderLinked': {
      const { provider, stripe_customer_id, default_payment_method_id, source, occurred_at } = event.data;
      return {
        status: 'linked',
        link: { provider, stripe_customer_id, default_payment_method_id, source, linked_at: occurred_at },
      };
    }
    case 'CustomerPaymentProviderUnlinked':
      return { status: 'unlinked' };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}
