import { readFileSync } from 'node:fs';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import type { ServiceEnv } from '../env';

/** How a client authenticates to the brokers (SASL) and whether it speaks TLS to them: kafkajs's own options. */
export type KafkaSecurity = Pick<KafkaConfig, 'sasl' | 'ssl'>;

type KafkaSecurityEnv = Pick<
  ServiceEnv,
  'KAFKA_SASL_MECHANISM' | 'KAFKA_SASL_USERNAME' | 'KAFKA_SASL_PASSWORD' | 'KAFKA_SSL' | 'KAFKA_SSL_CA_FILE'
>;

/**
 * KAFKA_SASL_* and KAFKA_SSL* as kafkajs options: nothing set is a plaintext connection without credentials (the
 * local broker). A CA file implies TLS; a mechanism without its user and password stops the app at boot.
 */
export function kafkaSecurity(env: KafkaSecurityEnv): KafkaSecurity {
  const security: KafkaSecurity = {};
  if (env.KAFKA_SSL_CA_FILE) security.ssl = { ca: [readFileSync(env.KAFKA_SSL_CA_FILE, 'utf8')] };
  else if (env.KAFKA_SSL) security.ssl = true;
  if (env.KAFKA_SASL_MECHANISM) {
    const { KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = env;
    if (!username || !password) {
      throw new Error(
        `KAFKA_SASL_MECHANISM=${env.KAFKA_SASL_MECHANISM} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD`,
      );
    }
    security.sasl = saslOptions(env.KAFKA_SASL_MECHANISM, username, password);
  }
  return security;
}

// kafkajs types each mechanism's options apart; the three named here take the same user and password.
function saslOptions(
  mechanism: NonNullable<KafkaSecurityEnv['KAFKA_SASL_MECHANISM']>,
  username: string,
  password: string,
): SASLOptions {
  switch (mechanism) {
    case 'plain':
      return { mechanism, username, password };
    case 'scram-sha-256':
      return { mechanism, username, password };
    case 'scram-sha-512':
      return { mechanism, username, password };
  }
}
