import type pg from 'pg';
import type { z } from 'zod';
import { parseEnv, type ServiceEnv } from '../env';
import { connectKafka, type KafkaConnection } from '../kafka/kafka';
import { kafkaSecurity } from '../kafka/kafkaSecurity';
import { createLogger } from '../logger';
import { migrate } from '../postgres/migrate';
import { createServicePool } from '../postgres/servicePools';

type RebuildPoolEnv = Parameters<typeof createServicePool>[0];
type RebuildKafkaEnv = Parameters<typeof kafkaSecurity>[0] &
  Pick<ServiceEnv, 'KAFKA_BROKERS' | 'TOPIC_PREFIX' | 'LOG_LEVEL'>;

/** What a service's rebuild works with: its parsed env, a background pool on its migrated schema, and Kafka. */
export interface RebuildContext<Env> {
  env: Env;
  pool: pg.Pool;
  /** Connects to Kafka with this env (once; later calls answer the same connection), for rebuilds that read topics. */
  kafka(env: RebuildKafkaEnv): KafkaConnection;
}

/**
 * `npm run rebuild` of a service: parses `env` from `source` (process.env), opens a background pool and migrates,
 * runs `rebuild`, prints the line it answers after the service's name, and closes the pool and any Kafka connection.
 */
export async function runRebuild<Schema extends z.ZodType<RebuildPoolEnv>>(
  definition: {
    name: string;
    env: Schema;
    migrationsDir: string;
    rebuild: (context: RebuildContext<z.infer<Schema>>) => Promise<string>;
  },
  source: Record<string, string | undefined> = process.env,
): Promise<void> {
  const { name } = definition;
  const env = parseEnv(definition.env, source);
  const pool = createServicePool(env, 'background', `${name}-rebuild`);
  let kafka: KafkaConnection | undefined;
  const connect = (kafkaEnv: RebuildKafkaEnv) => {
    kafka ??= connectKafka({
      clientId: `${name}-rebuild`,
      brokers: kafkaEnv.KAFKA_BROKERS,
      topicPrefix: kafkaEnv.TOPIC_PREFIX,
      logger: createLogger(`${name}-rebuild`, kafkaEnv.LOG_LEVEL),
      security: kafkaSecurity(kafkaEnv),
    });
    return kafka;
  };
  try {
    await migrate(pool, env.DB_SCHEMA, definition.migrationsDir);
    console.log(`${name}: ${await definition.rebuild({ env, pool, kafka: connect })}`);
  } finally {
    await kafka?.close();
    await pool.end();
  }
}
