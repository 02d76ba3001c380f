import type { Mode } from '@afternoon/contracts/common';
import { StoredStripeSettings } from '@afternoon/contracts/paymentSettings';
import { openSecret, type Queryable, UnsealError, ValidationError } from '@afternoon/service-kit';
import Stripe from 'stripe';
import type { VerifiedStripeEvent } from './stripeEvents';

/** A verified event and the mode whose webhook secret it was signed with. */
export interface VerifiedDelivery {
  event: VerifiedStripeEvent;
  mode: Mode;
}

/**
 * Checks a delivery as Stripe documents (https://docs.stripe.com/webhooks#verify-events): the event's `livemode`
 * picks the mode, whose sealed webhook secret is opened and checked against `Stripe-Signature` by the `stripe`
 * package, within its default tolerance of 300 s (an older timestamp is a replay). Trusting `livemode` before the
 * check is safe: a forged one only picks a secret the signature then fails. Every refusal is a 400, the answer
 * Stripe documents for a delivery that does not verify; each says what was wrong.
 */
export async function verifyStripeDelivery(
  db: Queryable,
  secretsKey: Buffer | undefined,
  organizationId: string,
  payload: Buffer,
  signature: string,
): Promise<VerifiedDelivery> {
  const mode = modeOf(payload);
  const stripe = await stripeSettingsOf(db, organizationId, mode);
  if (!stripe) throw new ValidationError(`Stripe is not configured in ${mode} mode for this organization`);
  if (!secretsKey)
    throw new ValidationError('This deployment has no PAYMENT_SECRETS_KEY: Stripe webhook secrets cannot be opened');
  let secret: string;
  try {
    const context = `payment_settings:${organizationId}:${mode}:stripe.webhook_secret`;
    secret = openSecret(secretsKey, stripe.webhook_secret, context);
  } catch (error) {
    // ADR 0019: a key that differs from the gateway's is a configuration error, reported as such.
    if (error instanceof UnsealError)
      throw new ValidationError('The stored Stripe webhook secret does not open with this PAYMENT_SECRETS_KEY');
    throw error;
  }
  try {
    const event = Stripe.webhooks.constructEvent(payload, signature, secret);
    return { event: event as unknown as VerifiedStripeEvent, mode };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ValidationError(`The Stripe signature does not verify: ${reason}`, 'stripe-signature');
  }
}

function modeOf(payload: Buffer): Mode {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new ValidationError('The Stripe event is not JSON');
  }
  const livemode = (parsed as { livemode?: unknown } | null)?.livemode;
  if (typeof livemode !== 'boolean') throw new ValidationError('The Stripe event has no livemode', 'livemode');
  return livemode ? 'live' : 'test';
}

async function stripeSettingsOf(
  db: Queryable,
  organizationId: string,
  mode: Mode,
): Promise<StoredStripeSettings | undefined> {
  const { rows } = await db.query<{ stripe: unknown }>(
    'SELECT stripe FROM payment_settings WHERE organization_id = $1 AND mode = $2',
    [organizationId, mode],
  );
  const stored = StoredStripeSettings.safeParse(rows[0]?.stripe);
  return stored.success ? stored.data : undefined;
}
