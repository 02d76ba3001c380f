import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { amountStripeRefuses, checkoutSession, completeSetup, confirmedPaymentIntent } from './fakeStripeObjects';

/*
 * Stripe cannot be reached from the machines tests run on, so the Stripe client is pointed (STRIPE_API_BASE) at this
 * local stand-in. It answers the calls the payment adapter makes in the shapes Stripe documents
 * (https://docs.stripe.com/api/checkout/sessions/object), replays an `Idempotency-Key` it has seen as Stripe does, and
 * records every request, so tests assert what would have reached Stripe. `GET /c/pay/:id` is the stand-in for the
 * hosted checkout page a session's `url` leads to. PaymentIntents (https://docs.stripe.com/api/payment_intents/object)
 * succeed, except on Stripe's test payment methods that fail: `pm_card_chargeDeclined` (402 `card_declined`) and
 * `pm_card_authenticationRequired` (402 `authentication_required`, as an off-session confirmation answers).
 */

/** One request as it reached the server: the form fields flat (`line_items[0][price_data][currency]`). */
export interface FakeStripeRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  form: Record<string, string>;
}

export interface FakeStripe {
  /** `http://127.0.0.1:<port>`, for STRIPE_API_BASE. */
  url: string;
  requests: FakeStripeRequest[];
  /** The Checkout Sessions made, each once however often its idempotency key came back. */
  sessions: Map<string, Record<string, unknown>>;
  /** From now on (null: no longer), session creation answers this error, as Stripe refusing or failing would. */
  failCheckoutWith(error: FakeStripeError | null): void;
  /** The PaymentIntents made, each once however often its idempotency key came back. */
  paymentIntents: Map<string, Record<string, unknown>>;
  /** Sets a Stripe customer's `invoice_settings.default_payment_method` (`GET /v1/customers/:id` answers it). */
  setDefaultPaymentMethod(customerId: string, paymentMethodId: string | null): void;
  /**
   * The customer completes a setup-mode session with the card `paymentMethodId`: as Stripe does, the session gets its
   * new customer (`customer_creation`) and a succeeded SetupIntent (`GET /v1/setup_intents/:id` answers it). Returns
   * the completed session, the object of its `checkout.session.completed` event.
   */
  completeSetup(sessionId: string, paymentMethodId: string): Record<string, unknown>;
  close(): Promise<void>;
}

/** An error as Stripe answers it: `status` 400 for a refusal, 401 for a bad key, 5xx for Stripe failing. */
export interface FakeStripeError {
  status: number;
  type: string;
  message: string;
  code?: string;
}

/** Starts the stand-in on a free loopback port. */
export async function startFakeStripe(): Promise<FakeStripe> {
  const requests: FakeStripeRequest[] = [];
  const sessions = new Map<string, Record<string, unknown>>();
  const paymentIntents = new Map<string, Record<string, unknown>>();
  const defaultPaymentMethods = new Map<string, string | null>();
  const setupIntents = new Map<string, Record<string, unknown>>();
  const byIdempotencyKey = new Map<string, Record<string, unknown>>();
  const answersByKey = new Map<string, { status: number; body: unknown }>();
  let url = '';
  let checkoutError: FakeStripeError | null = null;
  const server: Server = createServer(async (request, response) => {
    const form = Object.fromEntries(new URLSearchParams(await bodyOf(request)));
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    requests.push({ method: request.method ?? '', path, headers: request.headers, form });
    if (request.method === 'POST' && path === '/v1/checkout/sessions') {
      if (!/^Bearer (sk|rk)_(test|live)_/.test(request.headers.authorization ?? ''))
        return stripeError(response, 401, 'invalid_request_error', 'Invalid API Key provided');
      const key = header(request, 'idempotency-key');
      const replayed = key ? byIdempotencyKey.get(key) : undefined;
      if (replayed) return json(response, 200, replayed, { 'Idempotent-Replayed': 'true' });
      if (checkoutError) return stripeError(response, checkoutError.status, checkoutError.type, checkoutError.message);
      const refusedAmount = amountStripeRefuses(form);
      if (refusedAmount) return stripeError(response, 400, 'invalid_request_error', refusedAmount);
      const session = checkoutSession(url, form);
      sessions.set(String(session.id), session);
      if (key) byIdempotencyKey.set(key, session);
      return json(response, 200, session);
    }
    if (request.method === 'POST' && path === '/v1/payment_intents') {
      if (!/^Bearer (sk|rk)_(test|live)_/.test(request.headers.authorization ?? ''))
        return stripeError(response, 401, 'invalid_request_error', 'Invalid API Key provided');
      const key = header(request, 'idempotency-key');
      const replayed = key ? answersByKey.get(key) : undefined;
      if (replayed) return json(response, replayed.status, replayed.body, { 'Idempotent-Replayed': 'true' });
      const answer = confirmedPaymentIntent(form);
      paymentIntents.set(answer.intent.id as string, answer.intent);
      if (key) answersByKey.set(key, answer);
      return json(response, answer.status, answer.body);
    }
    const customer = /^\/v1\/customers\/(cus_[A-Za-z0-9]+)$/.exec(path);
    if (request.method === 'GET' && customer) {
      const id = customer[1] ?? '';
      const default_payment_method = defaultPaymentMethods.get(id) ?? null;
      return json(response, 200, {
        id,
        object: 'customer',
        livemode: false,
        invoice_settings: { default_payment_method },
      });
    }
    const retrieved = /^\/v1\/checkout\/sessions\/([^/]+)$/.exec(path);
    if (request.method === 'GET' && retrieved) {
      const session = sessions.get(retrieved[1] ?? '');
      return session
        ? json(response, 200, session)
        : stripeError(response, 404, 'invalid_request_error', `No such checkout.session: '${retrieved[1]}'`);
    }
    const setupIntent = /^\/v1\/setup_intents\/([^/]+)$/.exec(path);
    if (request.method === 'GET' && setupIntent) {
      const intent = setupIntents.get(setupIntent[1] ?? '');
      return intent
        ? json(response, 200, intent)
        : stripeError(response, 404, 'invalid_request_error', `No such setupintent: '${setupIntent[1]}'`);
    }
    const page = /^\/c\/pay\/([^/]+)$/.exec(path);
    if (request.method === 'GET' && page && sessions.has(page[1] ?? '')) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return response.end(`<!doctype html><title>Fake Stripe Checkout</title><h1>Fake Stripe Checkout</h1>`);
    }
    stripeError(response, 404, 'invalid_request_error', `Unrecognized request URL (${request.method}: ${path})`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    sessions,
    failCheckoutWith(error) {
      checkoutError = error;
    },
    paymentIntents,
    setDefaultPaymentMethod: (customerId, paymentMethodId) => defaultPaymentMethods.set(customerId, paymentMethodId),
    completeSetup: (sessionId, paymentMethodId) => completeSetup(sessions, setupIntents, sessionId, paymentMethodId),
    close: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  response.writeHead(status, {
    'content-type': 'application/json',
    'request-id': `req_${randomBytes(8).toString('hex')}`,
    ...headers,
  });
  response.end(JSON.stringify(body));
}

function stripeError(response: ServerResponse, status: number, type: string, message: string) {
  json(response, status, { error: { type, message } });
}
