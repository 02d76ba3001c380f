import { randomBytes } from 'node:crypto';
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
