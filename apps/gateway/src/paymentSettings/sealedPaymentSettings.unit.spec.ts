import { randomBytes } from 'node:crypto';
import { openSecret } from '@afternoon/service-kit';
import { describe, expect, it } from 'vitest';
import { ApiHttpError } from '../http/apiError';
import { configurePaymentsOf, paymentSecretContext } from './sealedPaymentSettings';

const key = randomBytes(32);
const test = { organizationId: 'org_acme', mode: 'test' as const };
const live = { organizationId: 'org_acme', mode: 'live' as const };
const stripe = {
  secret_key: 'sk_test_51H8x2LAbCdEfGhIjKl4242',
  webhook_secret: 'whsec_AbCdEfGhIjKlMnOpQrStUv',
  publishable_key: 'pk_test_51H8x2LAbCdEfGh',
};

const refusal = (run: () => unknown): ApiHttpError => {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiHttpError) return error;
    throw error;
  }
  throw new Error('not refused');
};

describe('payment settings as the gateway sends them', () => {
  it("seals Stripe's secrets for the tenant and field, keeping the secret key's last four characters", () => {
    const data = configurePaymentsOf({ providers: { stripe } }, test, key);
    expect(JSON.stringify(data)).not.toContain(stripe.secret_key);
    expect(JSON.stringify(data)).not.toContain(stripe.webhook_secret);
    expect(data.stripe?.publishable_key).toBe(stripe.publishable_key);
    expect(data.stripe?.secret_key?.last4).toBe('4242');
    const sealedKey = data.stripe?.secret_key?.sealed ?? '';
    expect(openSecret(key, sealedKey, paymentSecretContext(test, 'stripe.secret_key'))).toBe(stripe.secret_key);
    expect(
      openSecret(key, data.stripe?.webhook_secret ?? '', paymentSecretContext(test, 'stripe.webhook_secret')),
    ).toBe(stripe.webhook_secret);
    // Bound to its tenant and field: another mode's or field's context does not open it.
    expect(() => openSecret(key, sealedKey, paymentSecretContext(live, 'stripe.secret_key'))).toThrow();
    expect(() => openSecret(key, sealedKey, paymentSecretContext(test, 'stripe.webhook_secret'))).toThrow();
  });

  it('refuses a key of the other mode with a 400 naming each such field, before sealing anything', () => {
    const liveKeys = { secret_key: 'rk_live_51H8x2LAbCdEfGh9999', publishable_key: 'pk_live_51H8x2LAbCdEfGh' };
    const inTest = refusal(() => configurePaymentsOf({ providers: { stripe: liveKeys } }, test, null));
    expect(inTest.status).toBe(400);
    expect(inTest.error).toMatchObject({
      code: 'VALIDATION_ERROR',
      param: 'providers.stripe.secret_key',
      details: [{ param: 'providers.stripe.secret_key' }, { param: 'providers.stripe.publishable_key' }],
    });
    const inLive = refusal(() => configurePaymentsOf({ providers: { stripe } }, live, key));
    expect(inLive.error.param).toBe('providers.stripe.secret_key');
    expect(inLive.error.message).toContain('test mode key');
    expect(configurePaymentsOf({ providers: { stripe: liveKeys } }, live, key).stripe?.secret_key?.last4).toBe('9999');
  });

  it('refuses a secret with 503 where the deployment has no key, and takes everything else', () => {
    const noKey = refusal(() => configurePaymentsOf({ providers: { stripe } }, test, null));
    expect(noKey.status).toBe(503);
    expect(noKey.error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', param: 'providers.stripe.secret_key' });
    expect(noKey.error.message).toContain('PAYMENT_SECRETS_KEY');
    const webhookOnly = { providers: { stripe: { webhook_secret: stripe.webhook_secret } } };
    expect(refusal(() => configurePaymentsOf(webhookOnly, test, null)).error.param).toBe(
      'providers.stripe.webhook_secret',
    );
    const bank = { instructions: 'Pay by SEPA transfer.', iban: 'DE89370400440532013000' };
    const rest = { providers: { stripe: { publishable_key: stripe.publishable_key }, bank_transfer: bank } };
    expect(configurePaymentsOf(rest, test, null)).toEqual({
      stripe: { publishable_key: stripe.publishable_key },
      bank_transfer: bank,
      retry_schedule: undefined,
      after_final_failure: undefined,
    });
    expect(configurePaymentsOf({ providers: { stripe: null } }, test, null).stripe).toBeNull();
  });
});
