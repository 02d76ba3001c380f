import type { LinkCustomerPaymentProvider, PaymentLinkEvent } from '@afternoon/contracts/paymentLinks';
import { deciderSpec } from '@afternoon/testkit/decider';
import { describe, it } from 'vitest';
import { type PaymentLinkCommand, paymentLinkDecider } from './businessLogic';

const customer_id = 'ccustomer00000000000000001';
const issued_at = '2026-02-01T10:00:00.000Z';
const metadata = {
  command_id: 'cmd_1',
  correlation_id: 'req_1',
  request_id: 'req_1',
  organization_id: 'org_1',
  mode: 'test' as const,
  issued_at,
};
const stripe: LinkCustomerPaymentProvider['data'] = {
  customer_id,
  provider: 'stripe',
  stripe_customer_id: 'cus_Abc123',
  default_payment_method_id: 'pm_card_visa',
  source: 'api',
};
const link = (data: Partial<LinkCustomerPaymentProvider['data']> = {}): PaymentLinkCommand => ({
  type: 'LinkCustomerPaymentProvider',
  data: { ...stripe, ...data },
  metadata,
});
const unlink: PaymentLinkCommand = { type: 'UnlinkCustomerPaymentProvider', data: { customer_id }, metadata };
const linked: PaymentLinkEvent = { type: 'CustomerPaymentProviderLinked', data: { ...stripe, occurred_at: issued_at } };

const { given } = deciderSpec(paymentLinkDecider);

describe("a customer's payment link", () => {
  it('links a customer to Stripe', () => {
    given([]).when(link()).thenEmits([linked]);
  });

  it('records nothing when the same link comes again, and replaces a different one', () => {
    given([linked]).when(link()).thenEmits([]);
    given([linked])
      .when(link({ default_payment_method_id: null }))
      .thenEmits([
        {
          type: 'CustomerPaymentProviderLinked',
          data: { ...stripe, default_payment_method_id: null, occurred_at: issued_at },
        },
      ]);
  });

  it('takes the same link from a setup-mode Checkout the customer completed', () => {
    given([linked])
      .when(link({ source: 'checkout_setup', default_payment_method_id: 'pm_1Saved' }))
      .thenEmits([
        {
          type: 'CustomerPaymentProviderLinked',
          data: { ...stripe, source: 'checkout_setup', default_payment_method_id: 'pm_1Saved', occurred_at: issued_at },
        },
      ]);
  });

  it('unlinks a linked customer, and records nothing for one not linked', () => {
    given([linked])
      .when(unlink)
      .thenEmits([{ type: 'CustomerPaymentProviderUnlinked', data: { customer_id, occurred_at: issued_at } }]);
    given([]).when(unlink).thenEmits([]);
  });
});
