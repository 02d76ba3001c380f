import {
  connectKafka,
  createLogger,
  createServicePool,
  kafkaSecurity,
  migrate,
  parseEnv,
} from '@afternoon/service-kit';
import { migrationsDir } from './app';
import { MeteringServiceEnv } from './env';
import { rebuildMetering } from './rebuildMetering';

// Rebuilding serves no internal API: it needs no INTERNAL_API_TOKEN.
const env = parseEnv(MeteringServiceEnv.omit({ INTERNAL_API_TOKEN: true }), process.env);
const logger = createLogger('metering-service-rebuild', env.LOG_LEVEL);
const pool = createServicePool(env, 'background', 'metering-service-rebuild');
const kafka = connectKafka({
  clientId: 'metering-service-rebuild',
  brokers: env.KAFKA_BROKERS,
  topicPrefix: env.TOPIC_PREFIX,
  logger,
  security: kafkaSecurity(env),
});
try {
  await migrate(pool, env.DB_SCHEMA, migrationsDir);
  const { meterEvents } = await rebuildMetering({ pool, kafka, topicPrefix: env.TOPIC_PREFIX });
  console.log(
    `metering-service: meters rebuilt from ${meterEvents} events; usage, rejections and known customers are replayed from Kafka, and rollups rebuilt, when it next starts`,
  );
} finally {
  await kafka.close();
  await pool.end();
}
