import { createLogger, guardProcess } from '@afternoon/service-kit';
import { meteringServiceName, startMeteringService } from './app';
import { loadEnv } from './env';

const env = loadEnv(process.env);
guardProcess(createLogger(meteringServiceName, env.LOG_LEVEL));
const service = await startMeteringService(env);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await service.stop();
    process.exit(0);
  });
}
