import {
  connectKafka,
  createLogger,
  createServicePool,
  type KafkaConnection,
  type ServiceEnv,
} from '@afternoon/service-kit';
import type pg from 'pg';

/** What a rebuild of consumed state needs, as `npm run cli -- rebuild` gives it: the database and the broker. */
export interface RebuildConnections {
  pool: pg.Pool;
  kafka: KafkaConnection;
  topicPrefix: string;
}

/** Runs `rebuild` against a stopped service's schema and topics with connections of its own, closed after. */
export async function withRebuildConnections<T>(
  env: ServiceEnv & { DB_SCHEMA: string },
  rebuild: (connections: RebuildConnections) => Promise<T>,
): Promise<T> {
  const pool = createServicePool(env, 'background', 'rebuild-test');
  const kafka = connectKafka({
    clientId: 'rebuild-test',
    brokers: env.KAFKA_BROKERS,
    topicPrefix: env.TOPIC_PREFIX,
    logger: createLogger('rebuild-test', 'warn'),
  });
  try {
    return await rebuild({ pool, kafka, topicPrefix: env.TOPIC_PREFIX });
  } finally {
    await kafka.close();
    await pool.end();
  }
}
