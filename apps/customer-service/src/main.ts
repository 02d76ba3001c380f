import { createLogger, guardProcess, serveUntilSignalled } from '@afternoon/service-kit';
import { startCustomerService } from './app';
import { loadEnv } from './env';

const env = loadEnv(process.env);
const logger = createLogger('customer-service', env.LOG_LEVEL);
guardProcess(logger);
await serveUntilSignalled(logger, () => startCustomerService(env));
