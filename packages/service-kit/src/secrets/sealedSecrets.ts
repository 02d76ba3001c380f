import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { z } from 'zod';

/*
 * Secrets a service must use later but nobody may read back (a payment provider's API key): sealed with AES-256-GCM
 * under a key from the environment, a random 12-byte IV for each value. A sealed value reads
 * `v1:<iv>:<tag>:<ciphertext>`, each part base64url; `context` (e.g. the tenant and the field) is authenticated
 * with it, so a sealed value copied to another tenant or field does not open there.
 */

const keyBytes = 32;
const ivBytes = 12;
const tagBytes = 16;
const version = 'v1';

/** A secrets key from the environment: 32 random bytes in base64 (`openssl rand -base64 32`). */
export const SecretsKey = z
  .string()
  .trim()
  .refine((text) => /^[A-Za-z0-9+/_-]+={0,2}$/.test(text) && Buffer.from(text, 'base64').length === keyBytes, {
    message: `must be ${keyBytes} random bytes in base64 (e.g. openssl rand -base64 ${keyBytes})`,
  })
  .transform((text) => Buffer.from(text, 'base64'));

/** The shape of a sealed value (it says nothing about whether it opens). */
export const sealedSecretPattern = /^v1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]*$/;

/** A sealed value that does not open under the key and context given: tampered with, or sealed elsewhere. */
export class UnsealError extends Error {
  constructor(reason: string) {
    super(`sealed secret does not open: ${reason}`);
    this.name = 'UnsealError';
  }
}

/** Seals `plaintext` under `key` (32 bytes), bound to `context`. */
export function sealSecret(key: Buffer, plaintext: string, context: string): string {
  checkKey(key);
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [version, iv, cipher.getAuthTag(), ciphertext].map(encoded).join(':');
}

/** The plaintext of a value `sealSecret` made with the same key and context; throws UnsealError otherwise. */
export function openSecret(key: Buffer, sealed: string, context: string): string {
  checkKey(key);
  if (!sealedSecretPattern.test(sealed)) throw new UnsealError(`not a ${version} sealed value`);
  const [, iv = '', tag = '', ciphertext = ''] = sealed.split(':');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: tagBytes });
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new UnsealError('wrong key or context, or the value was altered');
  }
}

function encoded(part: string | Buffer): string {
  return typeof part === 'string' ? part : part.toString('base64url');
}

function checkKey(key: Buffer): void {
  if (key.length !== keyBytes) throw new Error(`a secrets key is ${keyBytes} bytes, not ${key.length}`);
}
