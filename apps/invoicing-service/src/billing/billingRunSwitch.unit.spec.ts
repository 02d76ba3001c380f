import { describe, expect, it } from 'vitest';
import { loadEnv } from '../env';
import { billingSlice } from './index';

// The Kubernetes manifests run many invoicing replicas and the billing run on one (ADR 0025): the others must not.
const envWith = (billingRunEnabled: string | undefined) =>
  loadEnv({
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/afternoon',
    KAFKA_BROKERS: '127.0.0.1:9092',
    INTERNAL_API_TOKEN: 'a-token-of-twenty-four-chars',
    BILLING_RUN_ENABLED: billingRunEnabled,
  });

describe('BILLING_RUN_ENABLED', () => {
  it('runs the billing run by default', () => {
    expect(
      billingSlice(
        envWith(undefined),
        () => {},
        () => [],
      ).background,
    ).toHaveLength(1);
  });

  it('starts no billing run on an instance where it is false, and still serves the billing reads', () => {
    const slice = billingSlice(
      envWith('false'),
      () => {},
      () => [],
    );
    expect(slice.background).toEqual([]);
    expect(slice.routes).toBeDefined();
  });
});
