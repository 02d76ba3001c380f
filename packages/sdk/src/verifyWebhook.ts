import type { components } from './schema';

/** What every webhook's body is: `{id, type, version, timestamp, mode, data}`. */
export type WebhookEvent = components['schemas']['WebhookEvent'];

export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface VerifyWebhookOptions {
  /** How far `webhook-timestamp` may be from now, either way (default 300 s). */
  toleranceSeconds?: number;
  /** The current time in ms since the epoch (default `Date.now()`). */
  now?: () => number;
}

/** Why a webhook was refused: not signed by a secret the receiver holds, or signed too long ago. */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
}

const encoder = new TextEncoder();

/**
 * Verifies a Standard Webhooks delivery over its raw body and returns the event: one `v1,<base64 HMAC-SHA256 of
 * id.timestamp.body>` in `webhook-signature` must match one of `secrets` (two during a rotation), and
 * `webhook-timestamp` must be within the tolerance. WebCrypto's `verify` compares in constant time and runs in Node,
 * browsers and edge runtimes alike.
 */
export async function verifyWebhook(
  payload: string | Uint8Array,
  headers: WebhookHeaders,
  secrets: string | readonly string[],
  options: VerifyWebhookOptions = {},
): Promise<WebhookEvent> {
  const id = headerOf(headers, 'webhook-id');
  const timestamp = headerOf(headers, 'webhook-timestamp');
  const signatures = headerOf(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures)
    throw new WebhookVerificationError('missing webhook-id, -timestamp or -signature');
  checkTimestamp(timestamp, options);
  const body = typeof payload === 'string' ? payload : new TextDecoder().decode(payload);
  const signed = encoder.encode(`${id}.${timestamp}.${body}`);
  const given = signatures
    .split(' ')
    .map((entry) => entry.split(','))
    .filter(([version, signature]) => version === 'v1' && signature)
    .map(([, signature]) => decodeBase64(signature ?? ''))
    .filter((signature) => signature !== undefined);
  for (const secret of typeof secrets === 'string' ? [secrets] : secrets) {
    const key = await hmacKey(secret);
    for (const signature of given) {
      if (await crypto.subtle.verify('HMAC', key, signature, signed)) return JSON.parse(body) as WebhookEvent;
    }
  }
  throw new WebhookVerificationError('no signature matches the secret');
}

function checkTimestamp(timestamp: string, options: VerifyWebhookOptions): void {
  const nowSeconds = Math.floor((options.now ?? Date.now)() / 1000);
  const tolerance = options.toleranceSeconds ?? 300;
  if (!/^\d+$/.test(timestamp)) throw new WebhookVerificationError('webhook-timestamp is not unix seconds');
  if (Math.abs(nowSeconds - Number(timestamp)) > tolerance) {
    throw new WebhookVerificationError(`webhook-timestamp is more than ${tolerance} s from now`);
  }
}

function headerOf(headers: WebhookHeaders, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function hmacKey(secret: string): ReturnType<typeof crypto.subtle.importKey> {
  const bytes = decodeBase64(secret.replace(/^whsec_/, ''));
  if (!bytes) throw new WebhookVerificationError('the secret is not whsec_ followed by base64');
  return crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  try {
    return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
  } catch {
    return undefined;
  }
}
