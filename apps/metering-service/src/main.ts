import { createLogger, guardProcess, serveUntilSignalled } from '@afternoon/service-kit';
import { meteringServiceName, startMeteringService } from './app';
import { loadEnv } from './env';

const env = loadEnv(process.env);
const logger = createLogger(meteringServiceName, env.LOG_LEVEL);
guardProcess(logger);
await serveUntilSignalled(logger, () => startMeteringService(env));
