import { Webhook } from 'standardwebhooks';

/** The Standard Webhooks headers of one attempt. */
export interface SignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Signs `body` for the attempt at `attemptedAt`: `webhook-id` is the event id (the same on every attempt and replay,
 * so receivers deduplicate on it), and one `v1,<base64 HMAC-SHA256>` per current secret, space-separated, so a
 * receiver holding either secret during a rotation verifies.
 */
export function signPayload(
  eventId: string,
  body: string,
  attemptedAt: Date,
  secrets: readonly string[],
): SignatureHeaders {
  if (secrets.length === 0) throw new Error(`no signing secret for event ${eventId}`);
  return {
    'webhook-id': eventId,
    'webhook-timestamp': String(Math.floor(attemptedAt.getTime() / 1000)),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(eventId, attemptedAt, body)).join(' '),
  };
}
