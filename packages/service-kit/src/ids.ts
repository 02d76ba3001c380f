import { createHash, randomBytes } from 'node:crypto';
import { init } from '@paralleldrive/cuid2';

const createResourceId = init({ length: 25 });

/** A new opaque resource id in the public API's cuid style. */
export function newResourceId(): string {
  return createResourceId();
}

/**
 * A new public address for a finalized invoice's hosted page on the gateway at `publicUrl`: `/inv/` and a random
 * token of 32 URL-safe characters, which is the only access a reader needs.
 */
export function newHostedInvoiceUrl(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/inv/${randomBytes(24).toString('base64url')}`;
}

const usageIdDigits = 36n ** 24n;

/**
 * The id of the usage event a tenant sent under `idempotencyKey`: a resource id ('u' and 24 base-36 characters of a
 * SHA-256 of the three), the same however often the event is sent, stored or replayed.
 */
export function usageIdOf(organizationId: string, mode: string, idempotencyKey: string): string {
  const digest = createHash('sha256').update([organizationId, mode, idempotencyKey].join('\u0000')).digest('hex');
  return `u${(BigInt(`0x${digest}`) % usageIdDigits).toString(36).padStart(24, '0')}`;
}
