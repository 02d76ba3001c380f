import { randomBytes } from 'node:crypto';

// The Stripe objects the fake Stripe server answers with, built from a request's form fields as Stripe builds them.

/** A `checkout.session` as Stripe answers its creation: open, unpaid, expiring in 24 hours. */
export function checkoutSession(base: string, form: Record<string, string>): Record<string, unknown> {
  const id = `cs_test_${randomBytes(24).toString('hex')}`;
  const created = Math.floor(Date.now() / 1000);
  const metadata = metadataOf(form);
  const quantity = Number(form['line_items[0][quantity]'] ?? 1);
  const amount = Number(form['line_items[0][price_data][unit_amount]'] ?? 0) * quantity;
  return {
    id,
    object: 'checkout.session',
    amount_subtotal: amount,
    amount_total: amount,
    cancel_url: form.cancel_url ?? null,
    client_reference_id: form.client_reference_id ?? null,
    created,
    currency: form['line_items[0][price_data][currency]'] ?? form.currency ?? null,
    customer: null,
    expires_at: created + 24 * 3600,
    livemode: false,
    metadata,
    mode: form.mode ?? 'payment',
    payment_intent: null,
    // A setup-mode session charges nothing (https://docs.stripe.com/api/checkout/sessions/object#checkout_session_object-payment_status).
    payment_status: form.mode === 'setup' ? 'no_payment_required' : 'unpaid',
    setup_intent: null,
    status: 'open',
    success_url: form.success_url ?? null,
    url: `${base}/c/pay/${id}`,
  };
}

export function completeSetup(
  sessions: Map<string, Record<string, unknown>>,
  setupIntents: Map<string, Record<string, unknown>>,
  sessionId: string,
  paymentMethodId: string,
): Record<string, unknown> {
  const session = sessions.get(sessionId);
  if (session?.mode !== 'setup') throw new Error(`no setup-mode checkout session ${sessionId}`);
  const customer = `cus_${randomBytes(7).toString('hex')}`;
  const intent = completedSetupIntent(customer, paymentMethodId, session.metadata as Record<string, string>);
  setupIntents.set(intent.id, intent);
  Object.assign(session, { customer, setup_intent: intent.id, status: 'complete' });
  return { ...session };
}

/** A SetupIntent (https://docs.stripe.com/api/setup_intents/object) that saved the card for off-session use. */
function completedSetupIntent(customer: string, paymentMethod: string, metadata: Record<string, string>) {
  return {
    id: `seti_${randomBytes(12).toString('hex')}`,
    object: 'setup_intent',
    customer,
    livemode: false,
    metadata,
    payment_method: paymentMethod,
    status: 'succeeded',
    usage: 'off_session',
  };
}

/** ISK and UGX are two-decimal in Stripe's API but charged in whole units only (https://docs.stripe.com/currencies). */
export function amountStripeRefuses(form: Record<string, string>): string | undefined {
  const currency = form['line_items[0][price_data][currency]'] ?? '';
  const amount = Number(form['line_items[0][price_data][unit_amount]'] ?? 0);
  if ((currency === 'isk' || currency === 'ugx') && amount % 100 !== 0)
    return `Invalid amount. Currency ${currency.toUpperCase()} has become effectively zero-decimal and charged amounts must be evenly divisible by 100.`;
  return undefined;
}

const declines: Record<string, { code: string; decline_code?: string; message: string }> = {
  pm_card_chargeDeclined: {
    code: 'card_declined',
    decline_code: 'generic_decline',
    message: 'Your card was declined.',
  },
  pm_card_authenticationRequired: {
    code: 'authentication_required',
    decline_code: 'authentication_required',
    message: 'Your card was declined. This transaction requires authentication.',
  },
};

/**
 * A `payment_intent` created with `confirm=true`: `succeeded` (HTTP 200), or on a failing test payment method the
 * 402 `card_error` Stripe answers, carrying the PaymentIntent left `requires_payment_method`.
 */
export function confirmedPaymentIntent(form: Record<string, string>) {
  const amount = Number(form.amount ?? 0);
  const paymentMethod = form.payment_method ?? null;
  const decline = paymentMethod ? declines[paymentMethod] : undefined;
  const intent: Record<string, unknown> = {
    id: `pi_${randomBytes(12).toString('hex')}`,
    object: 'payment_intent',
    amount,
    amount_received: decline ? 0 : amount,
    currency: form.currency ?? null,
    customer: form.customer ?? null,
    payment_method: paymentMethod,
    confirmation_method: 'automatic',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    metadata: metadataOf(form),
    status: decline ? 'requires_payment_method' : 'succeeded',
    last_payment_error: decline ? { type: 'card_error', ...decline } : null,
  };
  if (!decline) return { status: 200, body: intent, intent };
  const error = {
    type: 'card_error',
    ...decline,
    charge: `ch_${randomBytes(12).toString('hex')}`,
    payment_intent: intent,
  };
  return { status: 402, body: { error }, intent };
}

function metadataOf(form: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(form)
      .filter(([name]) => /^metadata\[[^\]]+\]$/.test(name))
      .map(([name, value]) => [name.slice('metadata['.length, -1), value]),
  );
}
