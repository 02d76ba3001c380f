import type { BillingSettingsEvent, LowBalanceThresholdSetting } from '@afternoon/contracts/billingSettings';

export type BillingSettingsState =
  | { status: 'default' }
  | {
      status: 'configured';
      invoiceGracePeriodSeconds: number;
      lowBalanceThresholds: LowBalanceThresholdSetting[];
      updatedAt: string;
    };

export function initialState(): BillingSettingsState {
  return { status: 'default' };
}

export function evolve(_state: BillingSettingsState, event: BillingSettingsEvent): BillingSettingsState {
  switch (event.type) {
    case 'BillingConfigured':
      return {
        status: 'configured',
        invoiceGracePeriodSeconds: event.data.invoice_grace_period_seconds,
        // Recorded before thresholds existed: none was set.
        lowBalanceThresholds: event.data.low_balance_thresholds ?? [],
        updatedAt: event.data.configured_at,
      };
    default: {
      const unknown: never = event.type;
      return unknown;
    }
  }
}
