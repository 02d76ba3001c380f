import { createLogger, guardProcess, serveUntilSignalled } from '@afternoon/service-kit';
import { invoicingServiceName, startInvoicingService } from './app';
import { loadEnv } from './env';

const env = loadEnv(process.env);
const logger = createLogger(invoicingServiceName, env.LOG_LEVEL);
guardProcess(logger);
await serveUntilSignalled(logger, () => startInvoicingService(env));
