import { fileURLToPath } from 'node:url';
import { type RunningService, startService } from '@afternoon/service-kit';
import type { MeteringServiceEnv } from './env';

export const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));

/** Starts, migrates its schema and answers health checks; its features arrive with later issues. */
export function startMeteringService(env: MeteringServiceEnv): Promise<RunningService> {
  return startService({ name: 'metering-service', env, migrationsDir, topics: [] });
}
