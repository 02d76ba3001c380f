import type { BankTransferSettings, StoredStripeSettings } from '@afternoon/contracts/paymentSettings';
import { openSecret, type Queryable, type Tenant, UnsealError } from '@afternoon/service-kit';
import { PaymentProviderUnavailableError } from './paymentProvider';

/** The tenant's providers as the event store keeps them: Stripe's secrets still sealed. */
export async function storedProviders(
  db: Queryable,
  tenant: Tenant,
): Promise<{ stripe: StoredStripeSettings | null; bankTransfer: BankTransferSettings | null }> {
  const { rows } = await db.query<{ stripe: StoredStripeSettings | null; bank_transfer: BankTransferSettings | null }>(
    'SELECT stripe, bank_transfer FROM payment_settings WHERE organization_id = $1 AND mode = $2',
    [tenant.organizationId, tenant.mode],
  );
  return { stripe: rows[0]?.stripe ?? null, bankTransfer: rows[0]?.bank_transfer ?? null };
}

/**
 * The plaintext Stripe secret key, opened with `PAYMENT_SECRETS_KEY` under the context the gateway sealed it with
 * (ADR 0019). Refused (PaymentProviderUnavailableError) where the deployment cannot open the key.
 */
export function openStripeSecretKey(secretsKey: Buffer | null, stripe: StoredStripeSettings, tenant: Tenant): string {
  if (!secretsKey)
    throw new PaymentProviderUnavailableError(
      'Stripe payments are unavailable: this deployment has no PAYMENT_SECRETS_KEY',
    );
  try {
    return openSecret(
      secretsKey,
      stripe.secret_key.sealed,
      `payment_settings:${tenant.organizationId}:${tenant.mode}:stripe.secret_key`,
    );
  } catch (error) {
    if (!(error instanceof UnsealError)) throw error;
    throw new PaymentProviderUnavailableError(
      "Stripe's secret key does not open with this deployment's PAYMENT_SECRETS_KEY: set it again " +
        '(PATCH /v1/payment_settings)',
    );
  }
}
