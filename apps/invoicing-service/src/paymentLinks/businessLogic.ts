import type {
  LinkCustomerPaymentProvider,
  PaymentLinkEvent,
  UnlinkCustomerPaymentProvider,
} from '@afternoon/contracts/paymentLinks';
import type { Decider, WithMetadata } from '@afternoon/service-kit';
import { evolve, initialState, type PaymentLinkState } from './paymentLink';

export type PaymentLinkCommand = WithMetadata<LinkCustomerPaymentProvider | UnlinkCustomerPaymentProvider>;

/**
 * Links the customer to Stripe's customer (and payment method), replacing any link before; unlinks. Whoever links
 * (the API, or later a setup-mode Checkout the customer completed) sends the same command; the same link again, or
 * unlinking what is not linked, records nothing.
 */
export function decide(command: PaymentLinkCommand, state: PaymentLinkState): PaymentLinkEvent[] {
  const occurred_at = command.metadata.issued_at;
  switch (command.type) {
    case 'LinkCustomerPaymentProvider': {
      const { data } = command;
      if (state.status === 'linked' && sameLink(state.link, data)) return [];
      return [{ type: 'CustomerPaymentProviderLinked', data: { ...data, occurred_at } }];
    }
    case 'UnlinkCustomerPaymentProvider':
      if (state.status === 'unlinked') return [];
      return [
        { type: 'CustomerPaymentProviderUnlinked', data: { customer_id: command.data.customer_id, occurred_at } },
      ];
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}

function sameLink(
  link: Extract<PaymentLinkState, { status: 'linked' }>['link'],
  data: LinkCustomerPaymentProvider['data'],
): boolean {
  return (
    link.stripe_customer_id === data.stripe_customer_id &&
    link.default_payment_method_id === data.default_payment_method_id &&
    link.source === data.source
  );
}

export const paymentLinkDecider: Decider<PaymentLinkCommand, PaymentLinkEvent, PaymentLinkState> = {
  initialState,
  evolve,
  decide,
};
