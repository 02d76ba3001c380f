import {
  BillingSettingsCommand as BillingSettingsCommandSchema,
  BillingSettingsEvent,
  billingSettingsEventWireNames,
} from '@afternoon/contracts/billingSettings';
import type { AggregateDefinition } from '@afternoon/service-kit';
import type { BillingSettingsState } from './billingSettings';
import { type BillingSettingsCommand, billingSettingsDecider } from './businessLogic';

export { billingSettingsRoutes } from './api';
export { billingSettingsProjection } from './getBillingSettings';

/** One stream per organization and mode. */
export const billingSettingsAggregate: AggregateDefinition<
  BillingSettingsCommand,
  BillingSettingsEvent,
  BillingSettingsState
> = {
  commandTypes: BillingSettingsCommandSchema.options.map((option) => option.shape.type.value),
  commandSchema: BillingSettingsCommandSchema,
  eventSchema: BillingSettingsEvent,
  eventWireNames: billingSettingsEventWireNames,
  streamId: (command) => `billing_settings-${command.metadata.organization_id}-${command.metadata.mode}`,
  decider: billingSettingsDecider,
  result: (state) =>
    state.status === 'configured'
      ? {
          billing_settings: {
            invoice_grace_period_seconds: state.invoiceGracePeriodSeconds,
            updated_at: state.updatedAt,
          },
        }
      : null,
};
