import {
  PaymentSettingsCommand as PaymentSettingsCommandSchema,
  PaymentSettingsEvent,
  paymentSettingsEventWireNames,
} from '@afternoon/contracts/paymentSettings';
import { type AggregateDefinition, commandTypesOf, type Slice } from '@afternoon/service-kit';
import { paymentSettingsRoutes } from './api';
import { type PaymentSettingsCommand, paymentSettingsDecider } from './businessLogic';
import { apiPaymentSettings, apiStripe, paymentSettingsProjection } from './getPaymentSettings';
import type { PaymentSettingsState } from './paymentSettings';

/** One stream per organization and mode; what a command leaves out keeps its value (the default's at first). */
export const paymentSettingsAggregate: AggregateDefinition<
  PaymentSettingsCommand,
  PaymentSettingsEvent,
  PaymentSettingsState
> = {
  commandTypes: commandTypesOf(PaymentSettingsCommandSchema),
  commandSchema: PaymentSettingsCommandSchema,
  eventSchema: PaymentSettingsEvent,
  eventWireNames: paymentSettingsEventWireNames,
  streamId: (command) => `payment_settings-${command.metadata.organization_id}-${command.metadata.mode}`,
  decider: paymentSettingsDecider(),
  publishedData: withoutSealedSecrets,
  // The reply is kept with the handled command: it shows what the API shows, never a sealed value.
  result: (state) =>
    state.status === 'configured'
      ? {
          payment_settings: apiPaymentSettings({
            stripe: state.stripe,
            bank_transfer: state.bankTransfer,
            retry_schedule: state.retrySchedule,
            after_final_failure: state.afterFinalFailure,
            updated_at: state.updatedAt,
          }),
        }
      : null,
};

// The event store keeps the sealed secrets so a rebuild restores them; `invoice.events` carries what the API shows.
function withoutSealedSecrets(event: PaymentSettingsEvent): object {
  const { stripe, ...rest } = event.data;
  return { ...rest, stripe: stripe && apiStripe(stripe) };
}

/** An organization's payment settings (providers, retries of failed charges), set by command. */
export const paymentSettingsSlice: Slice = {
  name: 'paymentSettings',
  aggregates: [paymentSettingsAggregate],
  projections: [paymentSettingsProjection],
  routes: ({ pool }) => paymentSettingsRoutes({ pool }),
};
