import type {
  AfterFinalFailure,
  BankTransferSettings,
  PaymentSettingsEvent,
  RetrySchedule,
  StoredStripeSettings,
} from '@afternoon/contracts/paymentSettings';

export type PaymentSettingsState =
  | { status: 'default' }
  | {
      status: 'configured';
      stripe: StoredStripeSettings | null;
      bankTransfer: BankTransferSettings | null;
      retrySchedule: RetrySchedule;
      afterFinalFailure: AfterFinalFailure;
      updatedAt: string;
    };

export function initialState(): PaymentSettingsState {
  return { status: 'default' };
}

export function evolve(_state: PaymentSettingsState, event: PaymentSettingsEvent): PaymentSettingsState {
  switch (event.type) {
    case 'PaymentsConfigured':
      return {
        status: 'configured',
        stripe: event.data.stripe,
        bankTransfer: event.data.bank_transfer,
        retrySchedule: event.data.retry_schedule,
        afterFinalFailure: event.data.after_final_failure,
        updatedAt: event.data.configured_at,
      };
    default: {
      const unknown: never = event.type;
      return unknown;
    }
  }
}
