import { formatDecimal, parseDecimal } from '@afternoon/billing-core/exactDecimal';
import type {
  BillingSettingsEvent,
  ConfigureBilling,
  LowBalanceThresholdSetting,
} from '@afternoon/contracts/billingSettings';
import type { Command, Decider } from '@afternoon/service-kit';
import { type BillingSettingsState, evolve, initialState } from './billingSettings';

export type BillingSettingsCommand = Command<ConfigureBilling['type'], ConfigureBilling['data']>;

/** The service's settings where an organization set none. */
export interface BillingSettingsDefaults {
  invoiceGracePeriodSeconds: number;
}

/**
 * Records the full settings after the change: a setting the command leaves out keeps its current value (the
 * default's, before any was set). Setting what is already set records nothing.
 */
export function decide(
  command: BillingSettingsCommand,
  state: BillingSettingsState,
  defaults: BillingSettingsDefaults,
): BillingSettingsEvent[] {
  const current =
    state.status === 'configured'
      ? { grace: state.invoiceGracePeriodSeconds, thresholds: state.lowBalanceThresholds }
      : { grace: defaults.invoiceGracePeriodSeconds, thresholds: [] };
  const { invoice_grace_period_seconds: grace, low_balance_thresholds: thresholds } = command.data;
  if (grace === undefined && thresholds === undefined) return [];
  const next = {
    invoice_grace_period_seconds: grace ?? current.grace,
    low_balance_thresholds: thresholds?.map(normalized) ?? current.thresholds,
  };
  if (
    state.status === 'configured' &&
    next.invoice_grace_period_seconds === current.grace &&
    JSON.stringify(next.low_balance_thresholds) === JSON.stringify(current.thresholds)
  )
    return [];
  return [{ type: 'BillingConfigured', data: { ...next, configured_at: command.metadata.issued_at } }];
}

/** The amount in its shortest exact form ("12.50" → "12.5"), so equal settings compare equal. */
function normalized(threshold: LowBalanceThresholdSetting): LowBalanceThresholdSetting {
  const { type, code } = threshold.denomination;
  return { denomination: { type, code }, amount: formatDecimal(parseDecimal(threshold.amount)) };
}

export function billingSettingsDecider(
  defaults: BillingSettingsDefaults,
): Decider<BillingSettingsCommand, BillingSettingsEvent, BillingSettingsState> {
  return { initialState, evolve, decide: (command, state) => decide(command, state, defaults) };
}
