import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kafkaSecurity } from './kafkaSecurity';

const plaintext = { KAFKA_SSL: false } as const;

describe('kafkaSecurity', () => {
  it('is nothing for the local broker: plaintext, no credentials', () => {
    expect(kafkaSecurity(plaintext)).toEqual({});
  });

  it('authenticates with the SASL mechanism, user and password given, over TLS when asked', () => {
    expect(
      kafkaSecurity({
        KAFKA_SSL: true,
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'afternoon',
        KAFKA_SASL_PASSWORD: 'secret',
      }),
    ).toEqual({ ssl: true, sasl: { mechanism: 'scram-sha-512', username: 'afternoon', password: 'secret' } });
  });

  it('trusts the CA in KAFKA_SSL_CA_FILE', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kafka-ca-'));
    try {
      const caFile = join(dir, 'ca.pem');
      writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n');
      expect(kafkaSecurity({ KAFKA_SSL: true, KAFKA_SSL_CA_FILE: caFile }).ssl).toEqual({
        ca: ['-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n'],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops the app when a mechanism comes without its user and password', () => {
    expect(() => kafkaSecurity({ ...plaintext, KAFKA_SASL_MECHANISM: 'scram-sha-256' })).toThrow(
      'KAFKA_SASL_MECHANISM=scram-sha-256 needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD',
    );
  });
});
