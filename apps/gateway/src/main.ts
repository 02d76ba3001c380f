import { startGateway } from './app';
import { loadEnv } from './env';

const gateway = await startGateway(loadEnv(process.env));
console.log(`Afternoon gateway listening on http://localhost:${gateway.port}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await gateway.stop();
    process.exit(0);
  });
}
