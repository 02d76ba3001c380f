import {
  BillingSettingsCommand as BillingSettingsCommandSchema,
  BillingSettingsEvent,
  billingSettingsEventWireNames,
} from '@afternoon/contracts/billingSettings';
import { type AggregateDefinition, commandTypesOf, type Slice } from '@afternoon/service-kit';
import { billingSettingsRoutes } from './api';
import type { BillingSettingsState } from './billingSettings';
import { type BillingSettingsCommand, billingSettingsDecider } from './businessLogic';
import { billingSettingsProjection } from './getBillingSettings';

/** One stream per organization and mode. */
export const billingSettingsAggregate: AggregateDefinition<
  BillingSettingsCommand,
  BillingSettingsEvent,
  BillingSettingsState
> = {
  commandTypes: commandTypesOf(BillingSettingsCommandSchema),
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

/** An organization's billing settings, set by command; read with `invoiceGracePeriodSeconds` where it set none. */
export function billingSettingsSlice(defaults: { invoiceGracePeriodSeconds: number }): Slice {
  return {
    name: 'billingSettings',
    aggregates: [billingSettingsAggregate],
    projections: [billingSettingsProjection],
    routes: ({ pool }) => billingSettingsRoutes({ pool, ...defaults }),
  };
}
