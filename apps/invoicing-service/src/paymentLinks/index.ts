import {
  PaymentLinkCommand as PaymentLinkCommandSchema,
  PaymentLinkEvent,
  paymentLinkEventWireNames,
} from '@afternoon/contracts/paymentLinks';
import { type AggregateDefinition, commandTypesOf, type Slice, type Tenant } from '@afternoon/service-kit';
import { knownCustomer } from '../customers/knownCustomers';
import { paymentLinkRoutes } from './api';
import { type PaymentLinkCommand, paymentLinkDecider } from './businessLogic';
import { paymentLinksProjection } from './getPaymentLinks';
import type { PaymentLinkState } from './paymentLink';

/** One stream per customer; linking a customer invoicing does not know is refused. */
export const paymentLinkAggregate: AggregateDefinition<PaymentLinkCommand, PaymentLinkEvent, PaymentLinkState> = {
  commandTypes: commandTypesOf(PaymentLinkCommandSchema),
  commandSchema: PaymentLinkCommandSchema,
  eventSchema: PaymentLinkEvent,
  eventWireNames: paymentLinkEventWireNames,
  streamId: (command) => `customer_payment_link-${command.data.customer_id}`,
  decider: paymentLinkDecider,
  async enrich(tx, command, context) {
    const tenant: Tenant = { organizationId: command.metadata.organization_id, mode: command.metadata.mode };
    if (command.type === 'LinkCustomerPaymentProvider')
      await knownCustomer(tx, tenant, command.data.customer_id, context);
    return command;
  },
  result: (state) => ({ payment_provider: state.status === 'linked' ? state.link : null }),
};

/** Customers' links to the provider that charges their `charge_automatically` invoices (ADR 0021). */
export const paymentLinksSlice: Slice = {
  name: 'paymentLinks',
  aggregates: [paymentLinkAggregate],
  projections: [paymentLinksProjection],
  routes: ({ pool }) => paymentLinkRoutes({ pool }),
};
