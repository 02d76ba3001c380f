import { startInvoicingService } from './app';
import { loadEnv } from './env';

const service = await startInvoicingService(loadEnv(process.env));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await service.stop();
    process.exit(0);
  });
}
