import { runRebuild } from '@afternoon/service-kit';
import { migrationsDir } from './app';
import { InvoicingServiceEnv } from './env';
import { rebuildInvoicing } from './rebuildInvoicing';

await runRebuild({
  name: 'invoicing-service',
  // Rebuilding serves no internal API: it needs no INTERNAL_API_TOKEN.
  env: InvoicingServiceEnv.omit({ INTERNAL_API_TOKEN: true }),
  migrationsDir,
  async rebuild({ env, pool, kafka }) {
    const { events } = await rebuildInvoicing({ pool, kafka: kafka(env), topicPrefix: env.TOPIC_PREFIX });
    return `invoices, plans, subscriptions, test clocks, billing settings and invoice number sequences rebuilt from ${events} events; customers are replayed from Kafka when it next starts`;
  },
});
