import type { BillingSettingsEvent, ConfigureBilling } from '@afternoon/contracts/billingSettings';
import type { Command, Decider } from '@afternoon/service-kit';
import { type BillingSettingsState, evolve, initialState } from './billingSettings';

export type BillingSettingsCommand = Command<ConfigureBilling['type'], ConfigureBilling['data']>;

/** Records the new settings; setting what is already set records nothing. */
export function decide(command: BillingSettingsCommand, state: BillingSettingsState): BillingSettingsEvent[] {
  const { invoice_grace_period_seconds } = command.data;
  if (state.status === 'configured' && state.invoiceGracePeriodSeconds === invoice_grace_period_seconds) return [];
  return [
    { type: 'BillingConfigured', data: { invoice_grace_period_seconds, configured_at: command.metadata.issued_at } },
  ];
}

export const billingSettingsDecider: Decider<BillingSettingsCommand, BillingSettingsEvent, BillingSettingsState> = {
  initialState,
  evolve,
  decide,
};
