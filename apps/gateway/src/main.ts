import { createLogger, guardProcess, serveUntilSignalled } from '@afternoon/service-kit';
import { startGateway } from './app';
import { loadEnv } from './env';

const env = loadEnv(process.env);
const logger = createLogger('gateway', env.LOG_LEVEL);
guardProcess(logger);
await serveUntilSignalled(logger, async () => {
  const gateway = await startGateway(env);
  console.log(`Afternoon gateway listening on http://localhost:${gateway.port}`);
  return gateway;
});
