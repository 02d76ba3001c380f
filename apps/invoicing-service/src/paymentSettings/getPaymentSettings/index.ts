import {
  type AfterFinalFailure,
  type BankTransferSettings,
  defaultRetrySchedule,
  type PaymentSettings,
  PaymentSettingsEvent,
  type RetrySchedule,
  type StoredStripeSettings,
  type StripeSettings,
} from '@afternoon/contracts/paymentSettings';
import type { Projection, Queryable, Tenant } from '@afternoon/service-kit';
import { defaultAfterFinalFailure } from '../businessLogic';

/** `payment_settings`: one row per organization and mode that set its own, Stripe's secrets still sealed. */
export const paymentSettingsProjection: Projection = {
  name: 'payment_settings',
  tables: ['payment_settings'],
  handles: ['PaymentsConfigured'],
  async apply(tx, stored) {
    const { data } = PaymentSettingsEvent.parse(stored);
    await tx.query(
      `INSERT INTO payment_settings (organization_id, mode, stripe, bank_transfer, retry_schedule, after_final_failure,
                                     updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (organization_id, mode)
       DO UPDATE SET stripe = $3, bank_transfer = $4, retry_schedule = $5, after_final_failure = $6, updated_at = $7`,
      [
        stored.metadata.organization_id,
        stored.metadata.mode,
        data.stripe && JSON.stringify(data.stripe),
        data.bank_transfer && JSON.stringify(data.bank_transfer),
        JSON.stringify(data.retry_schedule),
        data.after_final_failure,
        data.configured_at,
      ],
    );
  },
};

/** The tenant's settings as the API shows them (no secret), or the defaults where it has set none. */
export async function getPaymentSettings(db: Queryable, tenant: Tenant): Promise<PaymentSettings> {
  const { rows } = await db.query<{
    stripe: StoredStripeSettings | null;
    bank_transfer: BankTransferSettings | null;
    retry_schedule: RetrySchedule;
    after_final_failure: AfterFinalFailure;
    updated_at: Date;
  }>(
    `SELECT stripe, bank_transfer, retry_schedule, after_final_failure, updated_at FROM payment_settings
      WHERE organization_id = $1 AND mode = $2`,
    [tenant.organizationId, tenant.mode],
  );
  const row = rows[0];
  if (!row)
    return {
      providers: { stripe: null, bank_transfer: null },
      retry_schedule: defaultRetrySchedule,
      after_final_failure: defaultAfterFinalFailure,
      updated_at: null,
    };
  return apiPaymentSettings({ ...row, updated_at: row.updated_at.toISOString() });
}

/** The settings as the API shows them: of Stripe's secrets only the secret key's last four characters. */
export function apiPaymentSettings(settings: {
  stripe: StoredStripeSettings | null;
  bank_transfer: BankTransferSettings | null;
  retry_schedule: RetrySchedule;
  after_final_failure: AfterFinalFailure;
  updated_at: string;
}): PaymentSettings {
  return {
    providers: { stripe: settings.stripe && apiStripe(settings.stripe), bank_transfer: settings.bank_transfer },
    retry_schedule: settings.retry_schedule,
    after_final_failure: settings.after_final_failure,
    updated_at: settings.updated_at,
  };
}

/** Stripe as the API (and `invoice.events`) shows it: the publishable key, the secret key's last four characters. */
export function apiStripe(stripe: StoredStripeSettings): StripeSettings {
  return {
    publishable_key: stripe.publishable_key,
    secret_key_last4: stripe.secret_key.last4,
    webhook_secret_set: true,
  };
}
