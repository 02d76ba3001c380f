import { describe, expect, it } from 'vitest';
import { loadEnv } from './env';

const required = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/afternoon',
  KAFKA_BROKERS: '127.0.0.1:9092',
  INTERNAL_API_TOKEN: 'internal_token_of_this_spec_0123456789',
};

describe('the gateway environment', () => {
  it("limits each organization and mode to Afternoon's 1,000 requests a minute unless told otherwise", () => {
    expect(loadEnv(required).RATE_LIMIT_PER_MINUTE).toBe(1000);
    expect(loadEnv({ ...required, RATE_LIMIT_PER_MINUTE: '0' }).RATE_LIMIT_PER_MINUTE).toBe(0);
    expect(loadEnv({ ...required, RATE_LIMIT_PER_MINUTE: '250' }).RATE_LIMIT_PER_MINUTE).toBe(250);
    expect(() => loadEnv({ ...required, RATE_LIMIT_PER_MINUTE: '-1' })).toThrow(/RATE_LIMIT_PER_MINUTE/);
    expect(() => loadEnv({ ...required, RATE_LIMIT_PER_MINUTE: '1.5' })).toThrow(/RATE_LIMIT_PER_MINUTE/);
  });

  it('serves the admin API on the public port unless ADMIN_PORT names its own', () => {
    expect(loadEnv(required).ADMIN_PORT).toBeUndefined();
    expect(loadEnv({ ...required, ADMIN_PORT: '3001' }).ADMIN_PORT).toBe(3001);
  });

  it('refuses an ADMIN_PORT that is the public PORT', () => {
    expect(() => loadEnv({ ...required, PORT: '3000', ADMIN_PORT: '3000' })).toThrow(
      /ADMIN_PORT: ADMIN_PORT must differ/,
    );
  });

  it('takes PAYMENT_SECRETS_KEY as 32 bytes in base64, and goes without it', () => {
    const key = Buffer.alloc(32, 7);
    expect(loadEnv(required).PAYMENT_SECRETS_KEY).toBeUndefined();
    expect(loadEnv({ ...required, PAYMENT_SECRETS_KEY: key.toString('base64') }).PAYMENT_SECRETS_KEY).toEqual(key);
    expect(() => loadEnv({ ...required, PAYMENT_SECRETS_KEY: Buffer.alloc(16).toString('base64') })).toThrow(
      /PAYMENT_SECRETS_KEY: must be 32 random bytes in base64/,
    );
  });
});
