import { describe, expect, it } from 'vitest';
import { parseEnv, ServiceEnv } from './env';

const required = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/afternoon',
  KAFKA_BROKERS: '127.0.0.1:9092',
  INTERNAL_API_TOKEN: 'internal_token_of_this_spec_0123456789',
};

describe('ServiceEnv replication settings', () => {
  it('default to one copy, all the single local broker can hold', () => {
    expect(parseEnv(ServiceEnv, required)).toMatchObject({ KAFKA_REPLICATION_FACTOR: 1, KAFKA_MIN_INSYNC_REPLICAS: 1 });
  });

  it('take the production values', () => {
    expect(
      parseEnv(ServiceEnv, { ...required, KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '2' }),
    ).toMatchObject({ KAFKA_REPLICATION_FACTOR: 3, KAFKA_MIN_INSYNC_REPLICAS: 2 });
  });

  it('refuse a count below one, naming the variable', () => {
    expect(() =>
      parseEnv(ServiceEnv, { ...required, KAFKA_REPLICATION_FACTOR: '0', KAFKA_MIN_INSYNC_REPLICAS: 'two' }),
    ).toThrow(/KAFKA_REPLICATION_FACTOR: .*\n.*KAFKA_MIN_INSYNC_REPLICAS: /);
  });
});

describe('ServiceEnv internal doors', () => {
  const { INTERNAL_API_TOKEN: _token, ...withoutToken } = required;

  it('bind internal APIs to loopback unless INTERNAL_HOST opens them', () => {
    expect(parseEnv(ServiceEnv, required).INTERNAL_HOST).toBe('127.0.0.1');
    expect(parseEnv(ServiceEnv, { ...required, INTERNAL_HOST: '0.0.0.0' }).INTERNAL_HOST).toBe('0.0.0.0');
  });

  it('refuse to start without an INTERNAL_API_TOKEN, or with a short one, saying where one comes from', () => {
    expect(() => parseEnv(ServiceEnv, withoutToken)).toThrow(
      /INTERNAL_API_TOKEN: INTERNAL_API_TOKEN is required: .*npm start generates one into .local/,
    );
    expect(() => parseEnv(ServiceEnv, { ...withoutToken, INTERNAL_API_TOKEN: 'short' })).toThrow(
      /INTERNAL_API_TOKEN must be at least 24 characters/,
    );
  });
});
