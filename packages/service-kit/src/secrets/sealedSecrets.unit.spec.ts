import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openSecret, SecretsKey, sealedSecretPattern, sealSecret, UnsealError } from './sealedSecrets';

const key = randomBytes(32);
const context = 'payment_settings:org_1:test:stripe.secret_key';
const secret = 'sk_test_51H8x2LAbCdEfGhIjKlMnOpQr4242';

describe('sealed secrets (AES-256-GCM)', () => {
  it('opens what it sealed, and never shows the plaintext in the sealed value', () => {
    const sealed = sealSecret(key, secret, context);
    expect(sealed).toMatch(sealedSecretPattern);
    expect(sealed).not.toContain(secret);
    expect(openSecret(key, sealed, context)).toBe(secret);
    expect(openSecret(key, sealSecret(key, '', context), context)).toBe('');
    expect(openSecret(key, sealSecret(key, 'clé ✓ 🔑', context), context)).toBe('clé ✓ 🔑');
  });

  it('seals the same value differently each time (a random IV per value)', () => {
    const sealed = new Set(Array.from({ length: 20 }, () => sealSecret(key, secret, context)));
    expect(sealed.size).toBe(20);
    expect(new Set([...sealed].map((value) => value.split(':')[1])).size).toBe(20);
  });

  it('refuses a tampered value: ciphertext, tag or IV changed, or not a sealed value at all', () => {
    const sealed = sealSecret(key, secret, context);
    const [v, iv = '', tag = '', ciphertext = ''] = sealed.split(':');
    const flipped = (text: string) => {
      const bytes = Buffer.from(text, 'base64url');
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      return bytes.toString('base64url');
    };
    for (const tampered of [
      [v, iv, tag, flipped(ciphertext)],
      [v, iv, flipped(tag), ciphertext],
      [v, flipped(iv), tag, ciphertext],
      [v, iv, tag, ciphertext.slice(0, -2)],
    ])
      expect(() => openSecret(key, tampered.join(':'), context)).toThrow(UnsealError);
    for (const junk of ['', secret, 'v2:aaaa:bbbb:cccc', `${sealed}:extra`])
      expect(() => openSecret(key, junk, context)).toThrow(UnsealError);
  });

  it('refuses the wrong key, and a value sealed for another context (tenant or field)', () => {
    const sealed = sealSecret(key, secret, context);
    expect(() => openSecret(randomBytes(32), sealed, context)).toThrow(UnsealError);
    expect(() => openSecret(key, sealed, 'payment_settings:org_2:test:stripe.secret_key')).toThrow(UnsealError);
    expect(() => openSecret(key, sealed, 'payment_settings:org_1:test:stripe.webhook_secret')).toThrow(UnsealError);
    expect(() => sealSecret(randomBytes(16), secret, context)).toThrow(/32 bytes/);
  });

  it('takes a key of exactly 32 bytes in base64 from the environment', () => {
    const text = key.toString('base64');
    expect(SecretsKey.parse(text).equals(key)).toBe(true);
    expect(SecretsKey.parse(` ${text}\n`).equals(key)).toBe(true);
    expect(SecretsKey.parse(key.toString('base64url')).equals(key)).toBe(true);
    for (const bad of ['', randomBytes(16).toString('base64'), randomBytes(33).toString('base64'), 'not base64!'])
      expect(SecretsKey.safeParse(bad).success, bad).toBe(false);
  });
});
