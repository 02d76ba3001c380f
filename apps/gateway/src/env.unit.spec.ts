import { describe, expect, it } from 'vitest';
import { loadEnv } from './env';

const required = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/afternoon',
  KAFKA_BROKERS: '127.0.0.1:9092',
  INTERNAL_API_TOKEN: 'internal_token_of_this_spec_0123456789',
};

describe('the gateway environment', () => {
  it('serves the admin API on the public port unless ADMIN_PORT names its own', () => {
    expect(loadEnv(required).ADMIN_PORT).toBeUndefined();
    expect(loadEnv({ ...required, ADMIN_PORT: '3001' }).ADMIN_PORT).toBe(3001);
  });

  it('refuses an ADMIN_PORT that is the public PORT', () => {
    expect(() => loadEnv({ ...required, PORT: '3000', ADMIN_PORT: '3000' })).toThrow(
      /ADMIN_PORT: ADMIN_PORT must differ/,
    );
  });
});
