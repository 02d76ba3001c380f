import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { internalApiToken, paymentSecretsKey } from './apps.mjs';

describe("npm start's internal API token", () => {
  const dirs = [];
  const localDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'afternoon-start-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('is generated once into the local dir, readable by its owner only, and the same on the next start', async () => {
    const dir = localDir();
    const first = await internalApiToken({}, dir);
    expect(first).toMatch(/^int_[A-Za-z0-9_-]{32}$/);
    const file = join(dir, 'internal-api-token');
    expect(readFileSync(file, 'utf8')).toBe(`${first}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await internalApiToken({}, dir)).toBe(first);
  });

  it('is INTERNAL_API_TOKEN when set, and then nothing is written', async () => {
    const dir = localDir();
    expect(await internalApiToken({ INTERNAL_API_TOKEN: 'from_the_environment_0123456789' }, dir)).toBe(
      'from_the_environment_0123456789',
    );
    expect(() => statSync(join(dir, 'internal-api-token'))).toThrow();
  });
});

describe("npm start's payment secrets key", () => {
  const dirs = [];
  const localDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'afternoon-start-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('is 32 random bytes in base64, generated once into the local dir, readable by its owner only', async () => {
    const dir = localDir();
    const first = await paymentSecretsKey({}, dir);
    expect(Buffer.from(first, 'base64')).toHaveLength(32);
    const file = join(dir, 'payment-secrets-key');
    expect(readFileSync(file, 'utf8')).toBe(`${first}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await paymentSecretsKey({}, dir)).toBe(first);
    expect(await paymentSecretsKey({}, localDir())).not.toBe(first);
  });

  it('is PAYMENT_SECRETS_KEY when set, and then nothing is written', async () => {
    const dir = localDir();
    const key = Buffer.alloc(32, 1).toString('base64');
    expect(await paymentSecretsKey({ PAYMENT_SECRETS_KEY: key }, dir)).toBe(key);
    expect(() => statSync(join(dir, 'payment-secrets-key'))).toThrow();
  });
});
