import {
  BillingSettingsCommand as BillingSettingsCommandSchema,
  BillingSettingsEvent,
  billingSettingsEventWireNames,
} from '@afternoon/contracts/billingSettings';
import { type AggregateDefinition, commandTypesOf, type Slice } from '@afternoon/service-kit';
import { billingSettingsRoutes } from './api';
import type { BillingSettingsState } from './billingSettings';
import { type BillingSettingsCommand, type BillingSettingsDefaults, billingSettingsDecider } from './businessLogic';
import { apiThresholds, billingSettingsProjection } from './getBillingSettings';
import { refuseUnknownThresholdUnits } from './thresholdUnits';

/** One stream per organization and mode; a setting a command leaves out keeps its value (the default's at first). */
export function billingSettingsAggregate(
  defaults: BillingSettingsDefaults,
): AggregateDefinition<BillingSettingsCommand, BillingSettingsEvent, BillingSettingsState> {
  return {
    commandTypes: commandTypesOf(BillingSettingsCommandSchema),
    commandSchema: BillingSettingsCommandSchema,
    eventSchema: BillingSettingsEvent,
    eventWireNames: billingSettingsEventWireNames,
    streamId: (command) => `billing_settings-${command.metadata.organization_id}-${command.metadata.mode}`,
    decider: billingSettingsDecider(defaults),
    enrich: refuseUnknownThresholdUnits,
    result: (state) =>
      state.status === 'configured'
        ? {
            billing_settings: {
              invoice_grace_period_seconds: state.invoiceGracePeriodSeconds,
              low_balance_thresholds: apiThresholds(state.lowBalanceThresholds),
              updated_at: state.updatedAt,
            },
          }
        : null,
  };
}

/** An organization's billing settings, set by command; read with `invoiceGracePeriodSeconds` where it set none. */
export function billingSettingsSlice(defaults: BillingSettingsDefaults): Slice {
  return {
    name: 'billingSettings',
    aggregates: [billingSettingsAggregate(defaults)],
    projections: [billingSettingsProjection],
    routes: ({ pool }) => billingSettingsRoutes({ pool, ...defaults }),
  };
}
