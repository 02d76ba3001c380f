import { createLogger, guardProcess } from '@afternoon/service-kit';
import { startNotificationService } from './app';
import { loadEnv } from './env';

const env = loadEnv(process.env);
guardProcess(createLogger('notification-service', env.LOG_LEVEL));
const service = await startNotificationService(env);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await service.stop();
    process.exit(0);
  });
}
