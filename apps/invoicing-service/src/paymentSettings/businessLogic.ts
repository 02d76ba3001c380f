import {
  type AfterFinalFailure,
  type BankTransferSettings,
  type ConfigurePayments,
  defaultRetrySchedule,
  type PaymentSettingsEvent,
  type RetrySchedule,
  type SealedStripeChanges,
  type StoredStripeSettings,
} from '@afternoon/contracts/paymentSettings';
import { type Command, type Decider, fieldPath, ValidationError } from '@afternoon/service-kit';
import { evolve, initialState, type PaymentSettingsState } from './paymentSettings';

export type PaymentSettingsCommand = Command<ConfigurePayments['type'], ConfigurePayments['data']>;

/** Where an organization set nothing: no provider, three retries over a week, the invoice left open after them. */
export const defaultAfterFinalFailure: AfterFinalFailure = 'leave_open';

interface Settings {
  stripe: StoredStripeSettings | null;
  bank_transfer: BankTransferSettings | null;
  retry_schedule: RetrySchedule;
  after_final_failure: AfterFinalFailure;
}

/**
 * Records the full settings after the change: what the command leaves out keeps its value, a provider set to null is
 * removed, Stripe's keys merge into those set (all three are needed the first time). Setting what is already set
 * records nothing; a new secret always counts as a change (sealed values never compare equal).
 */
export function decide(command: PaymentSettingsCommand, state: PaymentSettingsState): PaymentSettingsEvent[] {
  if (Object.values(command.data).every((value) => value === undefined)) return [];
  const current = currentSettings(state);
  const { stripe, bank_transfer, retry_schedule, after_final_failure } = command.data;
  const next: Settings = {
    stripe: stripe === undefined ? current.stripe : mergedStripe(current.stripe, stripe),
    bank_transfer: bank_transfer === undefined ? current.bank_transfer : bank_transfer,
    retry_schedule: retry_schedule ?? current.retry_schedule,
    after_final_failure: after_final_failure ?? current.after_final_failure,
  };
  if (state.status === 'configured' && sameSettings(next, current)) return [];
  return [{ type: 'PaymentsConfigured', data: { ...next, configured_at: command.metadata.issued_at } }];
}

function currentSettings(state: PaymentSettingsState): Settings {
  if (state.status === 'default')
    return {
      stripe: null,
      bank_transfer: null,
      retry_schedule: defaultRetrySchedule,
      after_final_failure: defaultAfterFinalFailure,
    };
  return {
    stripe: state.stripe,
    bank_transfer: state.bankTransfer,
    retry_schedule: state.retrySchedule,
    after_final_failure: state.afterFinalFailure,
  };
}

/** Stripe's keys after the change: `null` removes Stripe; a key left out keeps the one set, if any. */
function mergedStripe(
  current: StoredStripeSettings | null,
  changes: SealedStripeChanges | null,
): StoredStripeSettings | null {
  if (changes === null) return null;
  const secret_key = changes.secret_key ?? current?.secret_key;
  const webhook_secret = changes.webhook_secret ?? current?.webhook_secret;
  const publishable_key = changes.publishable_key ?? current?.publishable_key;
  if (secret_key && webhook_secret && publishable_key) return { publishable_key, secret_key, webhook_secret };
  const missing = Object.entries({ secret_key, webhook_secret, publishable_key })
    .filter(([, value]) => value === undefined)
    .map(([field]) => ({
      param: fieldPath(['providers', 'stripe', field]),
      message: 'is required: Stripe is not set up yet, so give secret_key, webhook_secret and publishable_key',
    }));
  throw ValidationError.of(missing);
}

function sameSettings(a: Settings, b: Settings): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** The settings with every object's keys in one order, so equal settings compare equal however they were sent. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, child]) => child !== undefined)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, child]) => [key, canonical(child)]),
  );
}

export function paymentSettingsDecider(): Decider<PaymentSettingsCommand, PaymentSettingsEvent, PaymentSettingsState> {
  return { initialState, evolve, decide };
}
