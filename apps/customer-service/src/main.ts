import { createLogger, guardProcess } from '@afternoon/service-kit';
import { startCustomerService } from './app';
import { loadEnv } from './env';

const env = loadEnv(process.env);
guardProcess(createLogger('customer-service', env.LOG_LEVEL));
const service = await startCustomerService(env);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await service.stop();
    process.exit(0);
  });
}
