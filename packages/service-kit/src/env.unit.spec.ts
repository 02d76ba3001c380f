import { describe, expect, it } from 'vitest';
import { parseEnv, ServiceEnv } from './env';

const required = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/afternoon', KAFKA_BROKERS: '127.0.0.1:9092' };

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
