import { connectKafka, createLogger, createServicePool, migrate } from '@afternoon/service-kit';
import { migrationsDir } from './app';
import { loadEnv } from './env';
import { rebuildInvoicing } from './rebuildInvoicing';

const env = loadEnv(process.env);
const logger = createLogger('invoicing-service-rebuild', env.LOG_LEVEL);
const pool = createServicePool(env, 'background', 'invoicing-service-rebuild');
const kafka = connectKafka({
  clientId: 'invoicing-service-rebuild',
  brokers: env.KAFKA_BROKERS,
  topicPrefix: env.TOPIC_PREFIX,
  logger,
});
try {
  await migrate(pool, env.DB_SCHEMA, migrationsDir);
  const { events } = await rebuildInvoicing({ pool, kafka, topicPrefix: env.TOPIC_PREFIX });
  console.log(
    `invoicing-service: invoices, plans, subscriptions, test clocks, billing settings and invoice number sequences rebuilt from ${events} events; customers are replayed from Kafka when it next starts`,
  );
} finally {
  await kafka.close();
  await pool.end();
}
