import { createLogger, guardProcess } from '@afternoon/service-kit';
import { invoicingServiceName, startInvoicingService } from './app';
import { loadEnv } from './env';

const env = loadEnv(process.env);
guardProcess(createLogger(invoicingServiceName, env.LOG_LEVEL));
const service = await startInvoicingService(env);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await service.stop();
    process.exit(0);
  });
}
