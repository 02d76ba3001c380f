import { createLogger, guardProcess, serveUntilSignalled } from '@afternoon/service-kit';
import { startNotificationService } from './app';
import { loadEnv } from './env';

const env = loadEnv(process.env);
const logger = createLogger('notification-service', env.LOG_LEVEL);
guardProcess(logger);
await serveUntilSignalled(logger, () => startNotificationService(env));
