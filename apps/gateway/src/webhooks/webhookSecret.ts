import { randomBytes } from 'node:crypto';

/** A new signing secret, `whsec_` and the base64 of 32 random bytes (Standard Webhooks); made here so deciding stays pure. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
