import { createLogger, guardProcess } from '@afternoon/service-kit';
import { startGateway } from './app';
import { loadEnv } from './env';

const env = loadEnv(process.env);
guardProcess(createLogger('gateway', env.LOG_LEVEL));
const gateway = await startGateway(env);
console.log(`Afternoon gateway listening on http://localhost:${gateway.port}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await gateway.stop();
    process.exit(0);
  });
}
