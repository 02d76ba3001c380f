import type { FieldProblem, Mode } from '@afternoon/contracts/common';
import type {
  ConfigurePayments,
  SealedStripeChanges,
  StripeSettingsChanges,
  UpdatePaymentSettingsBody,
} from '@afternoon/contracts/paymentSettings';
import { fieldPath, sealSecret } from '@afternoon/service-kit';
import { ApiHttpError } from '../http/apiError';

/** Whose secret a sealed value is: it opens only with the same organization, mode and field. */
export function paymentSecretContext(tenant: { organizationId: string; mode: Mode }, field: string): string {
  return `payment_settings:${tenant.organizationId}:${tenant.mode}:${field}`;
}

/**
 * The command's data for a valid body: Stripe's keys checked against the request's mode (a live key in test mode,
 * or a test key in live mode, is refused naming the field), then its secrets sealed under `key`, so no plaintext
 * secret reaches Kafka. Without a key, a body carrying a secret is refused with 503: the deployment cannot store it.
 */
export function configurePaymentsOf(
  body: UpdatePaymentSettingsBody,
  tenant: { organizationId: string; mode: Mode },
  key: Buffer | null,
): ConfigurePayments['data'] {
  const stripe = body.providers?.stripe;
  if (stripe) {
    const problems = wrongModeKeys(stripe, tenant.mode);
    if (problems.length > 0) throw ApiHttpError.validation(problems);
  }
  return {
    stripe: stripe ? sealedStripe(stripe, tenant, key) : stripe,
    bank_transfer: body.providers?.bank_transfer,
    retry_schedule: body.retry_schedule,
    after_final_failure: body.after_final_failure,
  };
}

function wrongModeKeys(stripe: StripeSettingsChanges, mode: Mode): FieldProblem[] {
  const keys = { secret_key: stripe.secret_key, publishable_key: stripe.publishable_key };
  return Object.entries(keys).flatMap(([field, value]) => {
    // `sk_live_…`, `rk_test_…`, `pk_live_…`: the contract has checked the shape.
    const keyMode = value?.split('_')[1];
    return value === undefined || keyMode === mode
      ? []
      : [
          {
            param: fieldPath(['providers', 'stripe', field]),
            message: `is a ${keyMode} mode key, and this request is in ${mode} mode: give Stripe's ${mode} mode key`,
          },
        ];
  });
}

function sealedStripe(
  stripe: StripeSettingsChanges,
  tenant: { organizationId: string; mode: Mode },
  key: Buffer | null,
): SealedStripeChanges {
  const { secret_key, webhook_secret, publishable_key } = stripe;
  const seal = (value: string, field: 'secret_key' | 'webhook_secret') => {
    if (key === null) throw noKeyFor(field);
    return sealSecret(key, value, paymentSecretContext(tenant, `stripe.${field}`));
  };
  return {
    ...(secret_key === undefined
      ? {}
      : { secret_key: { sealed: seal(secret_key, 'secret_key'), last4: secret_key.slice(-4) } }),
    ...(webhook_secret === undefined ? {} : { webhook_secret: seal(webhook_secret, 'webhook_secret') }),
    ...(publishable_key === undefined ? {} : { publishable_key }),
  };
}

function noKeyFor(field: string): ApiHttpError {
  return ApiHttpError.of(
    'SERVICE_UNAVAILABLE',
    'Payment provider secrets cannot be stored: this deployment has no PAYMENT_SECRETS_KEY (its operator sets it on ' +
      'the gateway, 32 random bytes in base64). Nothing was changed.',
    fieldPath(['providers', 'stripe', field]),
  );
}
