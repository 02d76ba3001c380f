import {
  connectKafka,
  createLogger,
  createServicePool,
  kafkaSecurity,
  migrate,
  parseEnv,
} from '@afternoon/service-kit';
import { migrationsDir } from './app';
import { InvoicingServiceEnv } from './env';
import { rebuildInvoicing } from './rebuildInvoicing';

// Rebuilding serves no internal API: it needs no INTERNAL_API_TOKEN.
const env = parseEnv(InvoicingServiceEnv.omit({ INTERNAL_API_TOKEN: true }), process.env);
const logger = createLogger('invoicing-service-rebuild', env.LOG_LEVEL);
const pool = createServicePool(env, 'background', 'invoicing-service-rebuild');
const kafka = connectKafka({
  clientId: 'invoicing-service-rebuild',
  brokers: env.KAFKA_BROKERS,
  topicPrefix: env.TOPIC_PREFIX,
  logger,
  security: kafkaSecurity(env),
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
