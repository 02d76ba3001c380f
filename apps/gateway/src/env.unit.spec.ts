import { describe, expect, it } from 'vitest';
import { loadEnv } from './env';

const required = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/afternoon', KAFKA_BROKERS: '127.0.0.1:9092' };

describe('gateway environment', () => {
  it("limits each organization and mode to Afternoon's 1,000 requests a minute unless told otherwise", () => {
    expect(loadEnv(required).RATE_LIMIT_PER_MINUTE).toBe(1000);
    expect(loadEnv({ ...required, RATE_LIMIT_PER_MINUTE: '0' }).RATE_LIMIT_PER_MINUTE).toBe(0);
    expect(loadEnv({ ...required, RATE_LIMIT_PER_MINUTE: '250' }).RATE_LIMIT_PER_MINUTE).toBe(250);
    expect(() => loadEnv({ ...required, RATE_LIMIT_PER_MINUTE: '-1' })).toThrow(/RATE_LIMIT_PER_MINUTE/);
    expect(() => loadEnv({ ...required, RATE_LIMIT_PER_MINUTE: '1.5' })).toThrow(/RATE_LIMIT_PER_MINUTE/);
  });
});
