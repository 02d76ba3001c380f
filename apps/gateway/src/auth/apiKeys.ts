import { createHash, randomBytes } from 'node:crypto';
import type { Mode } from '@afternoon/contracts/common';

const keyFormat = /^ak_(live|test)_[A-Za-z0-9]{40}$/;
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A new secret key: 40 base62 characters (~238 bits) after the mode prefix. */
export function generateApiKey(mode: Mode): string {
  const bytes = randomBytes(64);
  let secret = '';
  for (const byte of bytes) {
    // 248 is the largest multiple of 62 under 256: rejecting above it keeps every character equally likely.
    if (byte < 248) secret += alphabet[byte % 62];
    if (secret.length === 40) break;
  }
  return secret.length === 40 ? `ak_${mode}_${secret}` : generateApiKey(mode);
}

/** Keys are long and random, so a fast hash is enough; only the hash is stored. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function modeOfKey(key: string): Mode | undefined {
  const match = keyFormat.exec(key);
  return match ? (match[1] as Mode) : undefined;
}
